/**
 * A stored image (base64, as terminals send punch photos) as an HTTP response. The type is read
 * from the bytes, never trusted from the sender: a JPEG, PNG, GIF, BMP or WebP is served as
 * itself; anything else is an attachment of octet-stream, so a browser never renders what a
 * terminal sent as a page or a script (with `nosniff`).
 */

const SIGNATURES: Array<{ type: string; bytes: number[]; at?: number }> = [
  { type: "image/jpeg", bytes: [0xff, 0xd8, 0xff] },
  { type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/gif", bytes: [0x47, 0x49, 0x46, 0x38] },
  { type: "image/bmp", bytes: [0x42, 0x4d] },
  // RIFF....WEBP: the tag at byte 8.
  { type: "image/webp", bytes: [0x57, 0x45, 0x42, 0x50], at: 8 },
];

export function imageType(bytes: Uint8Array): string | null {
  for (const s of SIGNATURES) {
    const at = s.at ?? 0;
    if (bytes.length >= at + s.bytes.length && s.bytes.every((b, i) => bytes[at + i] === b)) return s.type;
  }
  return null;
}

/**
 * The image with its type and a validator: a stored photo never changes (a punch keeps its first
 * photo), so the browser may keep it privately for a week and revalidate with the ETag after.
 */
export function imageResponse(base64: string, etag: string, ifNoneMatch: string | undefined): Response {
  const tag = `"${etag}"`;
  const caching = { etag: tag, "cache-control": "private, max-age=604800", "x-content-type-options": "nosniff" };
  if (ifNoneMatch !== undefined && ifNoneMatch.split(",").some((t) => t.trim() === tag)) return new Response(null, { status: 304, headers: caching });
  const bytes = Buffer.from(base64, "base64");
  const type = imageType(bytes);
  return new Response(bytes, {
    headers: {
      ...caching,
      "content-type": type ?? "application/octet-stream",
      "content-length": String(bytes.length),
      ...(type === null ? { "content-disposition": 'attachment; filename="photo.bin"' } : {}),
    },
  });
}
