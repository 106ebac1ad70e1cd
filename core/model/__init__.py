"""The model: from labelled claims to a registered, calibrated, explainable artefact.

Features fitted on the training period and frozen (``features``, ``history``,
``target_encoding``), the training data and its time split (``training_data``), model
comparison and tuning (``compare``), calibration, the leakage audit, training itself
(``training``), the trained artefact (``trained``) and the registry of versions with their
SHA-256 manifest (``registry``).
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.model.calibration import Calibrator
    from core.model.features import FeaturePipeline
    from core.model.leakage import LeakageReport, audit_training_data
    from core.model.registry import ModelVersion, Registry
    from core.model.trained import TrainedModel
    from core.model.training import TrainingResult, train

_EXPORTS = {
    "Calibrator": "core.model.calibration",
    "FeaturePipeline": "core.model.features",
    "LeakageReport": "core.model.leakage",
    "audit_training_data": "core.model.leakage",
    "ModelVersion": "core.model.registry",
    "Registry": "core.model.registry",
    "TrainedModel": "core.model.trained",
    "TrainingResult": "core.model.training",
    "train": "core.model.training",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "Calibrator",
    "FeaturePipeline",
    "LeakageReport",
    "ModelVersion",
    "Registry",
    "TrainedModel",
    "TrainingResult",
    "audit_training_data",
    "train",
]
