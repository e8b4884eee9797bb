"""Every domain's models, imported by name, so that the metadata (and Alembic) sees all tables."""
from voting.accounts.models import AddressThrottle, ApiToken, Body, User  # noqa: F401
from voting.appraisals.models import (  # noqa: F401
    AppraisalCampaign, AppraisalComment, AppraisalItem, Official, Rereport, RereportAttachment)
from voting.ballots.models import (  # noqa: F401
    Ballot, BallotItem, BallotVoter, CastBallot, IdempotencyRecord, NamedVote, PaperCount, Participation, TallySheet)
from voting.collection.models import (  # noqa: F401
    Candidate, DeputyCode, GramCount, LiaisonStation, Proposal, ProposalEvent, ProposalGram, ProposalPhoto)
from voting.integrity.models import AuditEntry  # noqa: F401
from voting.meetings.models import Absence, Attendance, Deputy, Meeting  # noqa: F401
from voting.tellers.models import (  # noqa: F401
    DecryptionShare, EncryptedTally, RejectedCast, TellerCeremony, TellerSeat)
from voting.tracking.models import (  # noqa: F401
    Inspection, LivelihoodProject, Milestone, ProgressUpdate, ProjectPhoto, SupervisionProposal)
