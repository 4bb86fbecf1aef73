"""In-process HTTP stub servers with fault injection, for tests, chaos runs and benchmarks."""

from .enrichment_server import EnrichmentServer
from .faults import Fault, FaultPlan, RequestLog, RequestRecord
from .model_server import ModelServer, RawAnswer, Responder
from .notification_sink import NotificationSink
from .otlp_receiver import OtlpReceiver, ReceivedSpan
from .publish_sink import PublishSink
from .schema_sample import sample_instance
from .scripted_agents import RefundDeskScript
from .stub_http import StubServer

__all__ = [
    "EnrichmentServer",
    "Fault",
    "FaultPlan",
    "ModelServer",
    "NotificationSink",
    "OtlpReceiver",
    "PublishSink",
    "RawAnswer",
    "ReceivedSpan",
    "RefundDeskScript",
    "RequestLog",
    "RequestRecord",
    "Responder",
    "StubServer",
    "sample_instance",
]
