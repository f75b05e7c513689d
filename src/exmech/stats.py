"""Headline figures of the graph, and a count of what is sourced and what is missing."""

from rdflib import Graph

_Q = """
PREFIX exm: <https://w3id.org/exmech/ontology/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
SELECT
  (COUNT(DISTINCT ?trial) AS ?trials)
  (COUNT(DISTINCT ?sourcedTrial) AS ?sourcedTrials)
  (COUNT(DISTINCT ?fullText) AS ?fullTextTrials)
  (COUNT(DISTINCT ?mech) AS ?mechanisms)
  (COUNT(DISTINCT ?namedMech) AS ?mechanismsNamedInReview)
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?sourcedClaim) AS ?sourcedClaims)
  (COUNT(DISTINCT ?ma) AS ?mediationAnalyses)
  (COUNT(DISTINCT ?sourcedMa) AS ?sourcedMediationAnalyses)
  (COUNT(DISTINCT ?maPub) AS ?mediationPublications)
  (COUNT(DISTINCT ?noDoi) AS ?publicationsWithoutDoi)
  (COUNT(DISTINCT ?noN) AS ?trialsWithoutSampleSize)
WHERE {
  { ?trial a exm:RandomisedControlledTrial .
    OPTIONAL { ?trial dcterms:source ?s ; exm:reportedIn ?p . { ?p bibo:doi|bibo:pmid ?id } UNION { ?trial exm:trialRegistration ?id } BIND(?trial AS ?sourcedTrial) }
    OPTIONAL { ?trial exm:mechanismExtraction exm:FullText . BIND(?trial AS ?fullText) }
    OPTIONAL { FILTER NOT EXISTS { ?trial exm:sampleSize ?n } BIND(?trial AS ?noN) } }
  UNION { ?mech a exm:Mechanism . OPTIONAL { ?mech exm:namedInReview true . BIND(?mech AS ?namedMech) } }
  UNION { ?claim a exm:MechanismClaim .
    OPTIONAL { ?claim prov:wasDerivedFrom ?cs ; exm:sourceLocation ?cl . BIND(?claim AS ?sourcedClaim) } }
  UNION { ?ma a exm:MediationAnalysis ; exm:reportedIn ?maPub .
    OPTIONAL { ?ma prov:wasDerivedFrom ?ms ; exm:sourceLocation ?ml . BIND(?ma AS ?sourcedMa) } }
  UNION { ?pub a bibo:AcademicArticle . FILTER NOT EXISTS { ?pub bibo:doi ?d } BIND(?pub AS ?noDoi) }
}
"""

_REVIEW = """
PREFIX exm: <https://w3id.org/exmech/ontology/>
SELECT ?uniqueMechanisms WHERE { ?r a exm:Review ; exm:uniqueMechanisms ?uniqueMechanisms } LIMIT 1
"""


def headline(graph: Graph) -> dict[str, int]:
    """Counts of trials, mechanisms, claims, mediation analyses, how many are sourced, and known gaps."""
    row = next(iter(graph.query(_Q)))
    figures = {str(k): int(v) for k, v in row.asdict().items()}
    figures["triples"] = len(graph)
    review = list(graph.query(_REVIEW))
    if review:
        # mechanism names of the review that no readable source gave us: counted, never guessed
        figures["reviewMechanismNamesMissing"] = int(review[0][0]) - figures["mechanismsNamedInReview"]
    return figures


LABELS = {
    "triples": "triples in the merged graph",
    "trials": "randomised trials",
    "sourcedTrials": "trials with a source and a DOI, PMID or registration",
    "fullTextTrials": "trials whose mechanisms were read from the full text",
    "trialsWithoutSampleSize": "trials whose sample size is not recorded",
    "mechanisms": "mechanisms (candidate mediators) in the vocabulary",
    "mechanismsNamedInReview": "of which named by Wun et al. 2021 in a readable source",
    "reviewMechanismNamesMissing": "of the review's 33 mechanism names, not yet sourced",
    "claims": "mechanism claims",
    "sourcedClaims": "claims with source and location",
    "mediationAnalyses": "mediation analyses",
    "sourcedMediationAnalyses": "mediation analyses with source and location",
    "mediationPublications": "publications reporting mediation analyses",
    "publicationsWithoutDoi": "publications with no DOI (PMID only)",
}
