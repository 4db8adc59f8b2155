'use strict';
// kafkajs 2.2.4 re-arms a timer in each connection's request queue with a negative delay when nothing is
// throttled: a busy 1 ms loop per idle connection, and on Node 24 a TimeoutNegativeWarning on every connect.
// The services apply the same fix from @ticketing/platform (src/kafka/kafkajs-idle-fix.ts); the dev scripts
// load kafkajs without the platform, so they apply it here: check the queue only while requests wait.
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests() {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const throttled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttled > 0 ? throttled : 10,
  );
};
