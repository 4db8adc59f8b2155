import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { badInput } from '@ticketing/platform';
import type { Model } from 'mongoose';
import type { ScanLogFilter } from './dto/scan-ticket.input';
import {
  ScanDirection,
  ScanMethod,
  ScanResult,
  type ScanLogEntry,
  type ScanLogPage,
} from './models/scan.model';
import { SCAN_ENTRY, type ScanEntryDoc } from './schemas/scan-entry.schema';

interface Cursor {
  at: number;
  id: string;
}

/** `<at ms>:<entry id>` in base64url: where the previous page ended. */
export function encodeCursor(entry: Pick<ScanEntryDoc, 'at' | '_id'>): string {
  return Buffer.from(`${entry.at.getTime()}:${entry._id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Cursor | null {
  if (cursor.length > 100 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const match = /^(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { at: Number(match[1]), id: match[2]! } : null;
}

/** The entry log, newest first; every page is one indexed range read (see the schema's indexes). */
@Injectable()
export class ScanLogService {
  constructor(@InjectModel(SCAN_ENTRY) private readonly entries: Model<ScanEntryDoc>) {}

  async page(
    eventId: string,
    filter: ScanLogFilter | undefined,
    first: number,
    after?: string | null,
  ): Promise<ScanLogPage> {
    const query: Record<string, unknown> = { eventId };
    if (filter?.gateId) query.gateId = filter.gateId;
    if (filter?.result) query.result = filter.result;
    if (after) {
      const cursor = decodeCursor(after);
      if (!cursor) throw badInput('after', 'after must be a cursor from a previous page');
      const at = new Date(cursor.at);
      query.$or = [{ at: { $lt: at } }, { at, _id: { $lt: cursor.id } }];
    }
    const docs = await this.entries
      .find(query)
      .sort({ at: -1, _id: -1 })
      .limit(first + 1)
      .lean<ScanEntryDoc[]>()
      .exec();
    const page = docs.slice(0, first);
    return {
      entries: page.map(toLogEntry),
      endCursor: page.length > 0 ? encodeCursor(page[page.length - 1]!) : null,
      hasNextPage: docs.length > first,
    };
  }
}

function toLogEntry(doc: ScanEntryDoc): ScanLogEntry {
  return {
    id: doc._id,
    result: doc.result as ScanResult,
    reason: doc.reason,
    ticketId: doc.ticketId,
    holderName: doc.holderName,
    ticketTypeName: doc.ticketTypeName,
    gateId: doc.gateId,
    deviceId: doc.deviceId,
    scannedBy: doc.scannedBy,
    at: doc.at,
    method: doc.method as ScanMethod | null,
    offline: doc.offline,
    direction: (doc.direction ?? 'ENTRY') as ScanDirection,
    reentry: doc.reentry ?? false,
  };
}
