// The pairing QR of an instance in NEEDS_QR, drawn as SVG from the string the provider gave.
import qrcodegen from './vendor/qrcodegen.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A figure for the QR value: a data: image as an <img>, anything else encoded as a QR code
 * (SVG built with DOM calls: no markup strings). A value too long for a QR code shows as text.
 */
export function qrFigure(value, label) {
  const fig = document.createElement('figure');
  fig.className = 'qr';
  if (/^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(value)) {
    const img = document.createElement('img');
    img.src = value;
    img.alt = label;
    fig.appendChild(img);
  } else {
    let code;
    try {
      code = qrcodegen.QrCode.encodeText(value, qrcodegen.QrCode.Ecc.MEDIUM);
    } catch (e) {
      const p = document.createElement('p');
      p.textContent = `The QR value cannot be drawn (${e.message}).`;
      fig.appendChild(p);
      return fig;
    }
    const border = 4;
    const size = code.size + border * 2;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    svg.setAttribute('shape-rendering', 'crispEdges');
    const bg = document.createElementNS(SVG, 'rect');
    bg.setAttribute('width', String(size));
    bg.setAttribute('height', String(size));
    bg.setAttribute('fill', '#ffffff');
    svg.appendChild(bg);
    const parts = [];
    for (let y = 0; y < code.size; y++) {
      for (let x = 0; x < code.size; x++) {
        if (code.getModule(x, y)) parts.push(`M${x + border},${y + border}h1v1h-1z`);
      }
    }
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', parts.join(''));
    path.setAttribute('fill', '#000000');
    svg.appendChild(path);
    fig.appendChild(svg);
  }
  const cap = document.createElement('figcaption');
  cap.textContent = 'Scan in WhatsApp: Settings → Linked devices → Link a device.';
  fig.appendChild(cap);
  return fig;
}
