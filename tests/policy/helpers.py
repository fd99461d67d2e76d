"""Small builders shared by the policy tests."""

from __future__ import annotations

from analyzer.model import DataFlow, Recipient


def claims_of(d: dict, action: str | None = None, polarity: str | None = None) -> list[dict]:
    return [c for c in d["claims"] if (action is None or c["action"] == action)
            and (polarity is None or c["polarity"] == polarity)]


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with real text (Helvetica), xref offsets computed: enough for pypdf to extract it."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = "BT /F1 11 Tf 50 780 Td 14 TL\n" + "\n".join(f"({esc(line)}) '" for line in lines) + "\nET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def flow(data_type: str, entity: str | None, party: str = "third", categories: list[str] | None = None,
         domain: str = "example.net") -> DataFlow:
    return DataFlow(data_type=data_type, recipient=Recipient(entity, domain, party, list(categories or [])))
