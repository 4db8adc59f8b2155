import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_LIST, EVENT_TYPES, eventTypesOnTopic } from './registry';
import {
  ALL_TOPICS,
  DEFAULT_PARTITIONS,
  TOPIC_CONFIG,
  TOPICS,
  dlqTopic,
  isDlqTopic,
  topicSpecs,
} from './topics';

describe('topic catalogue', () => {
  it('lists every topic once, and only catalogue topics', () => {
    expect(new Set(ALL_TOPICS).size).toBe(ALL_TOPICS.length);
    expect([...ALL_TOPICS].sort()).toEqual(Object.values(TOPICS).sort());
    expect(ALL_TOPICS).toContain('ticket.tickets');
    expect(ALL_TOPICS.some(isDlqTopic)).toBe(false);
  });

  it('puts every event type on a catalogue topic', () => {
    for (const type of EVENT_TYPE_LIST) {
      expect(ALL_TOPICS, type).toContain(EVENT_TYPES[type].topic);
    }
  });

  it('has no topic without an event type', () => {
    for (const topic of ALL_TOPICS) {
      expect(eventTypesOnTopic(topic).length, topic).toBeGreaterThan(0);
    }
  });

  it('routes each producing stream to its own topic', () => {
    expect(eventTypesOnTopic(TOPICS.tickets).sort()).toEqual([
      'ticket.issued',
      'ticket.revoked',
      'ticket.transfer-offered',
      'ticket.transfer-withdrawn',
      'ticket.transferred',
    ]);
    expect(eventTypesOnTopic(TOPICS.reservations).sort()).toEqual([
      'reservation.created',
      'reservation.expired',
      'reservation.released',
    ]);
    expect(eventTypesOnTopic(TOPICS.events).sort()).toEqual([
      'event.cancelled',
      'event.published',
      'event.staff-changed',
      'event.updated',
      'ticket-type.upserted',
    ]);
    expect(eventTypesOnTopic(TOPICS.users)).toEqual(['user.registered']);
    expect(eventTypesOnTopic('no.such.topic')).toEqual([]);
  });

  it('gives every topic a dead-letter twin distinct from all catalogue topics', () => {
    for (const topic of ALL_TOPICS) {
      const dlq = dlqTopic(topic);
      expect(dlq).toBe(`${topic}.dlq`);
      expect(isDlqTopic(dlq)).toBe(true);
      expect(ALL_TOPICS).not.toContain(dlq);
    }
  });

  it('configures partitions for every topic', () => {
    expect(Object.keys(TOPIC_CONFIG).sort()).toEqual([...ALL_TOPICS].sort());
    for (const topic of ALL_TOPICS) expect(TOPIC_CONFIG[topic].partitions).toBe(DEFAULT_PARTITIONS);
    expect(DEFAULT_PARTITIONS).toBe(3);
  });

  it('lists every topic and its twin for creation, with the prefix applied', () => {
    const specs = topicSpecs('t1-');
    expect(specs).toHaveLength(ALL_TOPICS.length * 2);
    for (const topic of ALL_TOPICS) {
      expect(specs).toContainEqual({ name: `t1-${topic}`, partitions: 3 });
      expect(specs).toContainEqual({ name: `t1-${topic}.dlq`, partitions: 3 });
    }
    expect(topicSpecs().map((s) => s.name)).toContain('pricing.prices.dlq');
  });

  it('stays free of imports so scripts can require the built file alone', () => {
    const source = readFileSync(join(__dirname, 'topics.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/require\(/);
  });
});
