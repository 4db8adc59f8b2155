import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/** Renders a ticket's signed token as a QR code image, in the browser. */
export function QrCode({ value, label }: { value: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(value, { errorCorrectionLevel: 'M', margin: 2, scale: 6 })
      .then((url) => {
        if (live) setSrc(url);
      })
      .catch(() => {
        if (live) setSrc(null);
      });
    return () => {
      live = false;
    };
  }, [value]);
  if (!src) return <div className="qr qr-placeholder" aria-hidden="true" />;
  return <img className="qr" src={src} alt={label} data-testid="ticket-qr" width={240} height={240} />;
}
