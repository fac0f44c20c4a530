/**
 * The textbook baseline for the engine benchmark: a binary min-heap of event objects ordered by
 * (time, seq), so equal times pop FIFO. One object is allocated per scheduled event, which is
 * how most JavaScript simulators are written. Not used by the simulator itself.
 */

export type ObjectHandler = () => void;

export interface HeapEvent {
  time: number;
  seq: number;
  handler: ObjectHandler;
}

function less(x: HeapEvent, y: HeapEvent): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}

export class ObjectHeap {
  private readonly items: HeapEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): HeapEvent | undefined {
    return this.items[0];
  }

  push(time: number, handler: ObjectHandler): void {
    const items = this.items;
    const event: HeapEvent = { time, seq: this.nextSeq++, handler };
    let i = items.length;
    items.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(event, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = event;
  }

  pop(): HeapEvent | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    const n = items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && less(items[right], items[left]) ? right : left;
      if (!less(items[child], last)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
    return top;
  }
}
