"""A small SPARQL 1.1 client on the standard library: queries (Protocol), updates, and
the Graph Store HTTP Protocol (PUT and DELETE of one named graph), with retries and
credentials from the environment or ~/.netrc (never printed).

The endpoint URL is the store's base: queries go to ``BASE/query`` and graphs to
``BASE/store?graph=IRI`` (Oxigraph's layout; a URL ending in ``/query`` is read as its
base). A URL ending in ``/sparql`` is a query endpoint itself, its graphs at
``URL-graph-crud`` (Virtuoso's layout); `graph_store` names another.

>>> Endpoint("http://127.0.0.1:7878/query").base
'http://127.0.0.1:7878'
>>> Endpoint("http://127.0.0.1:8890/sparql").graph_store
'http://127.0.0.1:8890/sparql-graph-crud'
>>> "PREFIX kg: <urn:kg:vocab:>" in with_prefixes("SELECT * WHERE { ?s ?p ?o }")
True
"""

from __future__ import annotations

import base64
import json
import netrc
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from kg.errors import StoreError
from kg.export.mapping import PREFIXES, namespaces

if TYPE_CHECKING:
    from rdflib.query import Result

USER_VARIABLE = "KG_SPARQL_USER"
PASSWORD_VARIABLE = "KG_SPARQL_PASSWORD"
RETRIES = 4


def with_prefixes(query: str) -> str:
    """`query` with PREFIX lines for kg's predeclared prefixes (those of the local
    `kg sparql`) the query does not declare itself."""
    declared = query.lower()
    lines = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in {**namespaces(), **PREFIXES}.items()
        if f"prefix {name.lower()}:" not in declared
    ]
    return "\n".join([*lines, query])


def _credentials(url: str) -> str | None:
    user = os.environ.get(USER_VARIABLE)
    if user:
        secret = f"{user}:{os.environ.get(PASSWORD_VARIABLE, '')}"
        return "Basic " + base64.b64encode(secret.encode()).decode()
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc().authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return None
    if entry is None:
        return None
    login, _, password = entry
    return "Basic " + base64.b64encode(f"{login}:{password or ''}".encode()).decode()


class Endpoint:
    """One SPARQL store, reached over HTTP.

    Parameters
    ----------
    url
        The store's base URL (see the module's note).
    timeout
        Seconds one request may take.
    retries
        How often a request that failed for want of a connection or with a 5xx status is
        tried again (waiting 0.2, 0.4, 0.8, ... s).
    """

    def __init__(
        self,
        url: str,
        timeout: float = 60.0,
        retries: int = RETRIES,
        graph_store: str | None = None,
    ) -> None:
        base = url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise StoreError(f"{url}: not an http(s) URL of a SPARQL store")
        if base.endswith("/sparql"):
            self.query_url = self.update_url = base
            default_store = base + "-graph-crud"
        else:
            base = base.removesuffix("/query")
            self.query_url = base + "/query"
            self.update_url = base + "/update"
            default_store = base + "/store"
        self.base = base
        self.graph_store = graph_store or default_store
        self.timeout = timeout
        self.retries = retries
        self._auth = _credentials(base)
        self._server: str | None = None

    def __repr__(self) -> str:  # never shows credentials
        return f"Endpoint({self.base!r})"

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> bytes:
        """Send one request, retrying with backoff; the response body.

        Raises
        ------
        StoreError
            On a 4xx status, or when every try failed.
        """
        return self.exchange(method, url, body, headers)[0]

    def exchange(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[bytes, str]:
        """`request`, with the response's content type.

        Raises
        ------
        StoreError
            On a 4xx status, or when every try failed.
        """
        data, response = self._send(method, url, body, headers)
        return data, response.get("Content-Type", "")

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[bytes, Any]:
        headers = dict(headers or {})
        if self._auth:
            headers["Authorization"] = self._auth
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(0.2 * 2 ** (attempt - 1))
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return bytes(response.read()), response.headers
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace").strip()[:500]
                last = f"HTTP {error.code}: {detail}"
                if error.code in (401, 403):
                    asks = bool(error.headers and error.headers.get("WWW-Authenticate"))
                    raise StoreError(self._refused(method, url, error.code, detail, asks)) from None
                if error.code < 500:
                    break
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                last = f"cannot connect: {reason}"
        raise StoreError(f"{method} {url.split('?')[0]} failed ({last}); is the store running?")

    def _refused(
        self, method: str, url: str, status: int, detail: str = "", asks: bool = False
    ) -> str:
        """Why the store refused: it is read-only (it says so), it wants credentials (HTTP
        401, or a challenge), it refused the ones kg sent, or a 403 that says neither
        (both causes named, with the store's own words).

        >>> store = Endpoint("http://127.0.0.1:7878")
        >>> store._auth = None
        >>> print(store._refused("PUT", store.graph_store, 403, "The server is read-only"))
        PUT http://127.0.0.1:7878/store: the store is read-only: it answers queries but takes no writes (HTTP 403: The server is read-only); a store `kg serve` started takes writes only when started as `kg serve --writable`
        """
        host = urllib.parse.urlsplit(self.base).hostname or self.base
        where = f"{method} {url.split('?')[0]}"
        said = f"HTTP {status}" + (f": {detail[:200]}" if detail else "")
        writable = (
            "a store `kg serve` started takes writes only when started as `kg serve --writable`"
        )
        credentials = (
            f"set ${USER_VARIABLE} and ${PASSWORD_VARIABLE}, or add a ~/.netrc entry "
            f"'machine {host} login NAME password SECRET'"
        )
        folded = detail.casefold().replace("-", " ")
        if "read only" in folded or "readonly" in folded:
            return f"{where}: the store is read-only: it answers queries but takes no writes ({said}); {writable}"
        if self._auth:
            return f"{where}: the store refused the credentials kg sent ({said}); {credentials}"
        if status == 401 or asks:
            return (
                f"{where}: the store asks for credentials and kg had none ({said}); {credentials}"
            )
        return (
            f"{where}: the store refused ({said}) and did not ask for credentials: it may be "
            f"read-only ({writable}), or want credentials kg does not have ({credentials})"
        )

    # ------------------------------------------------------------ SPARQL protocol

    def query_json(self, query: str) -> dict[str, Any]:
        """Run a SELECT or ASK query (kg's prefixes predeclared); the SPARQL JSON result."""
        data = self.request(
            "POST",
            self.query_url,
            urllib.parse.urlencode({"query": with_prefixes(query)}).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        result: dict[str, Any] = json.loads(data)
        return result

    def query_graph(self, query: str) -> bytes:
        """Run a CONSTRUCT or DESCRIBE query; the graph as N-Triples."""
        return self.request(
            "POST",
            self.query_url,
            urllib.parse.urlencode({"query": with_prefixes(query)}).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/n-triples",
            },
        )

    def result(self, query: str) -> Result:
        """Run any query; rdflib's `Result`, as the local `KnowledgeGraph.sparql` returns."""
        import io

        from rdflib import Graph
        from rdflib.query import Result

        data, kind = self.exchange(
            "POST",
            self.query_url,
            urllib.parse.urlencode({"query": with_prefixes(query)}).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
            },
        )
        if "sparql-results+json" in kind:
            return Result.parse(io.BytesIO(data), format="json")
        result = Result("CONSTRUCT")
        result.graph = Graph().parse(data=data.decode("utf-8"), format="nt")
        return result

    def update(self, update: str | bytes) -> None:
        """Run a SPARQL 1.1 update (one request: a store that runs each request in one
        transaction, as Oxigraph does, applies all of it or none)."""
        body = update.encode("utf-8") if isinstance(update, str) else update
        self.request("POST", self.update_url, body, {"Content-Type": "application/sparql-update"})

    @property
    def server(self) -> str:
        """The store's software as its HTTP `Server` header names it ('' when it does not
        say), asked once: ``Oxigraph/0.5.13`` for an Oxigraph server."""
        if self._server is None:
            url = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
            _, headers = self._send(
                "GET", url, headers={"Accept": "application/sparql-results+json"}
            )
            self._server = str(headers.get("Server", "") or "")
        return self._server

    @property
    def atomic_updates(self) -> bool:
        """Whether the store is known to apply each update request in one transaction
        (Oxigraph, from its `Server` header); other stores get one graph per request."""
        return self.server.lower().startswith("oxigraph")

    def select(self, query: str) -> list[dict[str, str]]:
        """The rows of a SELECT query as dicts of the bound values' lexical forms."""
        rows = self.query_json(query)["results"]["bindings"]
        return [{name: cell["value"] for name, cell in row.items()} for row in rows]

    # ------------------------------------------------------------ Graph Store protocol

    def _graph_url(self, graph: str) -> str:
        return self.graph_store + "?" + urllib.parse.urlencode({"graph": graph})

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace the named graph `graph` whole with `ntriples`."""
        self.request(
            "PUT", self._graph_url(graph), ntriples, {"Content-Type": "application/n-triples"}
        )

    def delete_graph(self, graph: str) -> None:
        """Drop the named graph `graph` (nothing when it is not there)."""
        try:
            self.request("DELETE", self._graph_url(graph))
        except StoreError as error:
            if "HTTP 404" not in str(error):
                raise

    def add_quads(self, nquads: bytes, transaction: bool = True) -> None:
        """Add `nquads` (N-Quads) to the store's dataset in one request (Oxigraph loads a
        request in one transaction: all of it or none). Without `transaction`, Oxigraph's
        bulk loader takes it: several times cheaper for the server, but a request cut off
        can leave part of it written."""
        url = self.graph_store + ("" if transaction else "?no_transaction")
        self.request("POST", url, nquads, {"Content-Type": "application/n-quads"})

    def named_graphs(self) -> set[str]:
        """The IRIs of the named graphs the store holds."""
        rows = self.query_json("SELECT ?g WHERE { GRAPH ?g { } }")["results"]["bindings"]
        return {row["g"]["value"] for row in rows}

    def get_graph(self, graph: str) -> bytes:
        """The named graph as N-Triples."""
        return self.request(
            "GET", self._graph_url(graph), headers={"Accept": "application/n-triples"}
        )
