"""Small builders shared by the detect tests: fields as the decoder writes them, and result lookups."""

from __future__ import annotations

from analyzer.decode import decode_flow
from analyzer.detect import Detector, Persona
from analyzer.model import Detection, Field, Flow


def flow(host: str = "api.example.com", path: str = "/v1/sync", method: str = "POST", fid: str = "f1", **kw) -> Flow:
    return Flow(id=fid, host=host, path=path, method=method, **kw)


def fields(*triples: tuple[str, str, str], fid: str = "f1") -> list[Field]:
    return [Field(loc, key, val, fid) for loc, key, val in triples]


def json_fields(obj: dict, prefix: str = "body.json") -> list[Field]:
    """Leaves of a JSON object with decoder-style locations (`a.b[2].c`, list items keep the parent key)."""
    out: list[Field] = []

    def walk(o, loc: str, key: str) -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, f"{loc}.{k}", k)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{loc}[{i}]", key)
        else:
            text = "true" if o is True else "false" if o is False else "null" if o is None else str(o)
            out.append(Field(loc, key, text, "f1"))

    walk(obj, prefix, "")
    return out


def run(fs: list[Field], fl: Flow | None = None, persona: Persona | None = None,
        detector: Detector | None = None) -> list[Detection]:
    d = detector or Detector(persona)
    return d.detect(fl or flow(), fs)


def kinds(dets: list[Detection]) -> set[tuple[str, str]]:
    return {(d.data_type, d.details) for d in dets}


def at(dets: list[Detection], location: str) -> list[Detection]:
    return [d for d in dets if d.location == location]


def types(dets: list[Detection]) -> set[str]:
    return {d.data_type for d in dets}


def detect(det: Detector, fl: Flow) -> list[Detection]:
    """What `det` finds in a whole request, decoded as the pipeline decodes it."""
    return det.detect(fl, decode_flow(fl).fields)
