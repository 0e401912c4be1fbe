import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../errors";

/** A feed position: the writer's transaction id and the row's sequence. Never shown as is. */
export interface FeedPosition {
  txid: string;
  seq: number;
}

const TAG_BYTES = 10;
const CURSOR_BYTES = 16 + TAG_BYTES;

/**
 * Seals feed positions into opaque cursors. The position's 16 bytes (txid, seq) are one AES
 * block, enciphered under the node's secret, so consecutive cursors share nothing a reader
 * could subtract: the global sequence, and with it how many events went to other
 * organisations (competing bids) in between, stays hidden. A MAC over the organisation and
 * the block makes a cursor valid only for the organisation it was given to. The same position
 * always seals to the same cursor, so a client may compare the cursors it holds.
 */
export class FeedCursors {
  readonly #cipherKey: Buffer;
  readonly #macKey: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error("the feed cursor secret needs 32 characters or more");
    const derive = (use: string) => createHmac("sha256", secret).update(use).digest();
    this.#cipherKey = derive("caravan feed cursor: cipher");
    this.#macKey = derive("caravan feed cursor: mac");
  }

  seal(orgId: string, position: FeedPosition): string {
    const block = Buffer.alloc(16);
    block.writeBigUInt64BE(BigInt(position.txid), 0);
    block.writeBigUInt64BE(BigInt(position.seq), 8);
    const cipher = createCipheriv("aes-256-ecb", this.#cipherKey, null).setAutoPadding(false);
    const sealed = Buffer.concat([cipher.update(block), cipher.final()]);
    return Buffer.concat([sealed, this.#tag(orgId, sealed)]).toString("base64url");
  }

  /** The position `cursor` stands for, if this node gave it to `orgId`; else a 400 on `path`. */
  open(orgId: string, cursor: string, path = "since"): FeedPosition {
    const bytes = Buffer.from(cursor, "base64url");
    // Node's decoder skips characters outside the alphabet; only the canonical form is ours.
    if (bytes.length !== CURSOR_BYTES || bytes.toString("base64url") !== cursor) {
      throw ValidationError.field(path, "malformed cursor; pass a cursor from a previous page");
    }
    const sealed = bytes.subarray(0, 16);
    if (!timingSafeEqual(bytes.subarray(16), this.#tag(orgId, sealed))) {
      throw ValidationError.field(path, "unknown cursor; pass a cursor from a previous page");
    }
    const decipher = createDecipheriv("aes-256-ecb", this.#cipherKey, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(sealed), decipher.final()]);
    return { txid: block.readBigUInt64BE(0).toString(), seq: Number(block.readBigUInt64BE(8)) };
  }

  #tag(orgId: string, sealed: Buffer): Buffer {
    return createHmac("sha256", this.#macKey)
      .update(orgId)
      .update("\0")
      .update(sealed)
      .digest()
      .subarray(0, TAG_BYTES);
  }
}
