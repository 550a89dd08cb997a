/** One bit per data row: which rows the dry run found valid. 50,000 rows take 6 KB. */
export class ValidMap {
  private bytes: Uint8Array;

  constructor(bytes?: Uint8Array) {
    this.bytes = bytes ?? new Uint8Array(1024);
  }

  static fromBase64(text: string | null): ValidMap {
    return new ValidMap(text ? new Uint8Array(Buffer.from(text, "base64")) : new Uint8Array(0));
  }

  set(index: number): void {
    const byte = index >> 3;
    if (byte >= this.bytes.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bytes.length * 2));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[byte] = (this.bytes[byte] as number) | (1 << (index & 7));
  }

  has(index: number): boolean {
    const byte = index >> 3;
    return byte < this.bytes.length && ((this.bytes[byte] as number) & (1 << (index & 7))) !== 0;
  }

  toBase64(): string {
    let end = this.bytes.length;
    while (end > 0 && this.bytes[end - 1] === 0) end--;
    return Buffer.from(this.bytes.subarray(0, end)).toString("base64");
  }
}
