"""Reading the appraisal forms into plain values; the services validate."""
from werkzeug.datastructures import MultiDict

CAMPAIGN_FIELDS = ("title", "year", "mode", "fraction", "inclusive", "base", "weight_satisfied",
                   "weight_basically_satisfied", "weight_unsatisfied", "weight_abstain", "bands", "below", "graded_fraction",
                   "unknown", "abstain")
DEFAULT_CAMPAIGN = {"mode": "rate", "fraction": "4/5", "inclusive": "1", "base": "item_valid",
                    "weight_satisfied": "100", "weight_basically_satisfied": "75", "weight_unsatisfied": "0",
                    "weight_abstain": "", "bands": "90 优秀\n75 称职\n60 基本称职", "below": "不称职"}


def campaign_values(form: MultiDict) -> dict:
    return {name: form.get(name, "") for name in CAMPAIGN_FIELDS}


def ids(form: MultiDict, name: str) -> list[str]:
    return [value for value in form.getlist(name) if value]


def files(uploads: MultiDict, name: str) -> list[tuple[str, bytes]]:
    return [(f.filename or "", f.read()) for f in uploads.getlist(name) if f and f.filename]


def comments(form: MultiDict) -> dict:
    """{item id: text} from fields named comment-<item id>."""
    return {key[len("comment-"):]: value for key, value in form.items() if key.startswith("comment-")}
