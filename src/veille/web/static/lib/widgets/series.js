// Helpers for bucketed series (volume, sentiment): bucket bounds for drill-downs, axis labels.
import { formatDate, formatDateTime, formatTime } from "../format.js";

/** The bounds [from, to) of bucket ``index``: its start (not before the range's) to the next one's. */
export function bucketBounds(buckets, index, range) {
  const start = buckets[index];
  const next = index + 1 < buckets.length ? buckets[index + 1] : range.to;
  const from = Date.parse(start) < Date.parse(range.from) ? range.from : start;
  const to = Date.parse(next) > Date.parse(range.to) ? range.to : next;
  return { from, to };
}

/** A bucket's label on an axis: the time for minutes and hours, the date for days and weeks, the
 * month and year for months ("nov. 2026", not a clock time of the month's first midnight). */
export function bucketLabel(bucket, interval, timeZone) {
  const options = { timeZone };
  if (interval === "month") return formatDate(bucket, { ...options, month: "short", year: "numeric" });
  if (interval === "day" || interval === "week") return formatDate(bucket, { ...options, day: "numeric", month: "short" });
  return formatTime(bucket, options);
}

export function bucketTitle(bucket, interval, timeZone) {
  if (interval === "month") return formatDate(bucket, { timeZone, month: "long", year: "numeric" });
  if (interval === "day" || interval === "week") return formatDate(bucket, { timeZone, dateStyle: "full" });
  return formatDateTime(bucket, { timeZone });
}

/** The distinct buckets of rows, in order. */
export function bucketsOf(rows) {
  const seen = [];
  const known = new Set();
  for (const row of rows) {
    if (!known.has(row.bucket)) {
      known.add(row.bucket);
      seen.push(row.bucket);
    }
  }
  return seen;
}

/** Index of the bucket holding ``moment`` (milliseconds), or -1 when it is before the first one. */
export function bucketIndexOf(buckets, moment) {
  for (let index = buckets.length - 1; index >= 0; index -= 1) {
    if (Date.parse(buckets[index]) <= moment) return index;
  }
  return -1;
}
