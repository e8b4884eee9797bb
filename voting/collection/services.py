"""The collection domain's front door: what views, the API and other domains call.

Each room holds one part:
- texts.py      checking typed text, codes, uploads' encodings
- photos.py     photos sent with a proposal
- stations.py   liaison stations and deputies' personal codes
- intake.py     proposals from the public, deputies and stations; similar-proposal hints
- screening.py  the staff's decisions on a proposal, lists and statistics
- candidates.py the candidate list of a year
- to_ballot.py  the candidate list put to a selection ballot

Every write validates first, then changes rows, records the audit entry and the
proposal's history, and commits once. Bad input raises `Refusal` before anything is written.
"""
from voting.collection.texts import (
    CODE_PATTERN,
    DEFAULT_PHOTO_MAX_BYTES,
    MAX_PHOTOS,
    PHOTO_TYPES,
    PROPOSAL_FIELDS,
    TRACKING_ALPHABET,
    TRACKING_PREFIX,
    clean_text,
    validate_proposal,
)
from voting.collection.photos import (
    CheckedPhoto,
    check_photo,
    photo_max_bytes,
    photo_path,
    upload_dir,
)
from voting.collection.stations import (
    ImportRejected,
    STATION_CSV_HEADER,
    create_deputy_code,
    create_station,
    decode_upload,
    deputy_code_by_code,
    import_stations,
    normalize_code,
    station_by_code,
    stations_of,
    townships_of,
    update_station,
)
from voting.collection.intake import (
    find_by_tracking_code,
    new_tracking_code,
    normalize_tracking_code,
    public_status,
    refused_submission,
    similar_proposals,
    similar_titles,
    submit_proposal,
)
from voting.collection.screening import (
    PLAIN_STATUSES,
    change_status,
    decline,
    merge,
    proposal_page,
    proposal_query,
    set_reply,
    statistics,
)
from voting.collection.candidates import (
    SHORTLIST_SHOWN,
    candidate_years,
    candidates_of,
    create_candidate,
    delete_candidate,
    parse_budget,
    parse_date,
    shortlisted_count,
    shortlisted_proposals,
    total_budget,
    update_candidate,
)
from voting.collection.to_ballot import (
    NoMargin,
    ballot_items,
    candidates_to_ballot,
    open_meetings,
)

__all__ = [
    "CODE_PATTERN",
    "CheckedPhoto",
    "DEFAULT_PHOTO_MAX_BYTES",
    "ImportRejected",
    "MAX_PHOTOS",
    "NoMargin",
    "PHOTO_TYPES",
    "PLAIN_STATUSES",
    "PROPOSAL_FIELDS",
    "SHORTLIST_SHOWN",
    "STATION_CSV_HEADER",
    "TRACKING_ALPHABET",
    "TRACKING_PREFIX",
    "ballot_items",
    "candidate_years",
    "candidates_of",
    "candidates_to_ballot",
    "change_status",
    "check_photo",
    "clean_text",
    "create_candidate",
    "create_deputy_code",
    "create_station",
    "decline",
    "decode_upload",
    "delete_candidate",
    "deputy_code_by_code",
    "find_by_tracking_code",
    "import_stations",
    "merge",
    "new_tracking_code",
    "normalize_code",
    "normalize_tracking_code",
    "open_meetings",
    "parse_budget",
    "parse_date",
    "photo_max_bytes",
    "photo_path",
    "proposal_page",
    "proposal_query",
    "public_status",
    "refused_submission",
    "set_reply",
    "shortlisted_count",
    "shortlisted_proposals",
    "similar_proposals",
    "similar_titles",
    "station_by_code",
    "stations_of",
    "statistics",
    "submit_proposal",
    "total_budget",
    "townships_of",
    "update_candidate",
    "update_station",
    "upload_dir",
    "validate_proposal",
]
