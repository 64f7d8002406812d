"""Breaking changes between two versions of a contract (``partnersim contracts diff``).

One engine per kind of contract document: OpenAPI 3.1 (``openapi``), WSDL 1.1 and XML Schema with
the payload XSDs that travel in CDATA (``soap``, ``xsd``), ``contentInfo`` grammars (``grammars``) and
BIF field mappings (``bif``). Each yields ``Change``s naming where, what and whom it breaks: clients
(who send requests and read answers) or the partner (who must accept the one and write the other);
``contracts.diff.model`` gives the rules. ``diff_paths`` picks the engines for two folders or files.
"""

from contracts.diff.model import CLIENTS, PARTNER, Change, Severity
from contracts.diff.tree import KINDS, diff_documents, diff_folders, diff_paths, diff_trees, document_kind

__all__ = ["CLIENTS", "PARTNER", "Change", "Severity", "KINDS", "diff_documents", "diff_folders", "diff_paths",
           "diff_trees", "document_kind"]
