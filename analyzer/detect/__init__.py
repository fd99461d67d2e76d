"""detect/: decoded request fields -> Detections of personal and health data, each with its evidence.

`Detector(persona).detect(flow, fields)`; the persona (hpa.persona/1) comes from `persona.load_persona`.
"""

from .detector import Detector
from .persona import Persona, load_persona

__all__ = ["Detector", "Persona", "load_persona"]
