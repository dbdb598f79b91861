/**
 * A QR code as SVG, drawn here (uqr, no network, no service): for the printable pass page,
 * `GET /api/v1/access/passes/{id}/qr.svg` and the page a person's newly issued code is shown on once. Medium error correction survives a creased or
 * smudged print; the 4-module quiet zone is the one the QR standard asks for, so a reader finds
 * the code on a page full of text.
 */
import { renderSVG } from "uqr";

export function qrSvg(text: string): string {
  return renderSVG(text, { ecc: "M", border: 4, pixelSize: 8 });
}
