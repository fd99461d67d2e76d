"""decode: turn a captured request into leaf fields a person can follow.

`decode_flow(flow, limits=DEFAULT_LIMITS) -> Decoded(fields, bounds_hit)`. Each leaf is a model.Field whose
`location` reads as a path and whose `key` is the last key name on it (a protobuf field number as text; "" for a path
segment or a body with no key).

Locations
- `path[i]` (non-empty path segments from 0), `query.<k>`, `header.<name lower>`, `cookie.<name>`.
- body: `body.form.<k>`, `body.json.a.b[2].c`, `body.multipart.<part name>`, `body.ndjson[3].x` (NDJSON and Sentry
  envelopes: one index per line / item), `body.protobuf.1.19`, `body` (plain text or an undecodable binary, as hex).
- A key or part name that occurs more than once is indexed on every occurrence: `query.id[0]`, `query.id[1]`.
  Protobuf uses the same rule per message: `body.protobuf.1.2[0].1` is the name of the first of several field-2
  events; a field that occurs once has no index (`body.protobuf.1.19`). Packed varints read from a bytes field are
  `...|packed[j]`, beside the field's hex.
- A decoding step is written `|step`: `|gzip` `|deflate` `|br` `|zstd` `|base64` `|jwt` `|json` `|protobuf`:
  `query.data|base64|json[0].properties.mood`, `body|gzip|protobuf.1.19`, `header.authorization|jwt.email`.
  JSON found inside a string field continues the path without a step: `body.form.custom_events[2]._eventName`.
- Protobuf values: varints as integers (int64 negatives signed), fixed64/fixed32 as a float when the bits read as a
  plausible float (coordinates), else as an integer; length-delimited as text if printable UTF-8, else a nested
  message if the bytes parse whole, else hex (first 64 bytes).
- Bytes no decoder reads (a body, a multipart part, base64 that is none of the above; Java DataOutput, Thrift,
  MessagePack...): the hex excerpt, `<loc>|hex` (all of it up to 16 KB, where raw identifiers can be found) and
  the strings inside as `<loc>|strings[i]` (split on their u8/varint, u16-BE or i32-BE length prefixes; UTF-16LE
  runs too).
- A form or a URL with a query inside a string value is walked again: `query.r|url.aaid`, `body.json.payload|form.mood`
  (`k=v&k2=v2` or `k=v;k2=v2`); the whole string stays a leaf as well.

Decisions are by content, the Content-Type is a hint. base64 is accepted only for strings of 16+ characters that are
not hex/UUID-shaped and decode to JSON, readable text, compressed data or a whole protobuf message.

Bounds (`Limits`): max_depth, max_decoded_bytes (body bytes examined, plus bytes produced by decompression and
base64), time_budget_s, max_fields, max_value_chars. Hitting one is reported in `bounds_hit` ("max_depth",
"max_decoded_bytes", "time_budget", "max_fields"); decoding never raises on hostile input. `"opaque_payload"` is
reported there too: a binary body that reads as encrypted (near-random bytes, hardly any text), a limit of what
could be searched.
"""

from .flow import decode_flow
from .limits import DEFAULT_LIMITS, Decoded, Limits

__all__ = ["decode_flow", "Decoded", "Limits", "DEFAULT_LIMITS"]
