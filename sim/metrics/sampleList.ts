/** A growable array of numbers backed by a Float64Array. */
export class SampleList {
  private data = new Float64Array(256);
  private count = 0;

  /** Number of samples. */
  get length(): number {
    return this.count;
  }

  /** Appends one sample. */
  push(value: number): void {
    if (this.count === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.count++] = value;
  }

  /** The samples as a new array. */
  values(): Float64Array {
    return this.data.slice(0, this.count);
  }
}
