"""Headline figures of the graph, and a count of what is sourced and what is still missing."""

from exmech.stores.base import as_store

_P = """PREFIX exm: <https://w3id.org/exmech/ontology/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX bibo: <http://purl.org/ontology/bibo/>
"""
# each figure is one small COUNT query, so each can be read (and checked) on its own
_COUNTS = {
    "trials": "?s a exm:RandomisedControlledTrial .",
    "sourcedTrials": "?s a exm:RandomisedControlledTrial ; dcterms:source ?src ; exm:reportedIn ?p ."
    " { ?p bibo:doi|bibo:pmid ?id } UNION { ?s exm:trialRegistration ?id }",
    "fullTextTrials": "?s exm:mechanismExtraction exm:FullText .",
    "abstractOnlyTrials": "?s exm:mechanismExtraction exm:AbstractOnly .",
    "partialTextTrials": "?s exm:mechanismExtraction exm:PartialText .",
    "citationOnlyTrials": "?s exm:mechanismExtraction exm:CitationOnly .",
    "trialsWithoutSampleSize": "?s a exm:RandomisedControlledTrial . FILTER NOT EXISTS { ?s exm:sampleSize ?n }",
    "mechanisms": "?s a exm:Mechanism .",
    "mechanismsNamedInReview": "?s a exm:Mechanism ; exm:namedInReview true .",
    # a name the review gives: from its ranked list, or a vocabulary mechanism it names elsewhere (once)
    "reviewMechanismNamesSourced": "{ ?s a exm:ReviewMechanismName } UNION"
    " { ?s a exm:Mechanism ; exm:namedInReview true FILTER NOT EXISTS { ?n exm:denotesMechanism ?s } }",
    "reviewNamesNotInVocabulary": "?s a exm:ReviewMechanismName FILTER NOT EXISTS { ?s exm:denotesMechanism ?m }",
    "claims": "?s a exm:MechanismClaim .",
    "sourcedClaims": "?s a exm:MechanismClaim ; prov:wasDerivedFrom ?src ; exm:sourceLocation ?loc .",
    "trialsWithClaims": "?s a exm:RandomisedControlledTrial . FILTER EXISTS { ?c exm:statedBy ?s }",
    "mediatorMeasurements": "?s a exm:MediatorMeasurement .",
    "mediationAnalyses": "?s a exm:MediationAnalysis .",
    "sourcedMediationAnalyses": "?s a exm:MediationAnalysis ; prov:wasDerivedFrom ?src ; exm:sourceLocation ?loc .",
    "mediationPublications": "?m a exm:MediationAnalysis ; exm:reportedIn ?s .",
    "publicationsWithoutDoi": "?s a bibo:AcademicArticle . FILTER NOT EXISTS { ?s bibo:doi ?d }",
    # the evidence summary in brief (per mechanism: `exmech evidence`)
    "mechanismsProposed": "?c exm:proposedMechanism ?s .",
    "mechanismsMeasured": "?m a exm:MediatorMeasurement ; exm:ofConstruct ?s . ?s a exm:Mechanism .",
    "mechanismsTested": "?a a exm:MediationAnalysis ; exm:mediator ?s .",
    "mechanismsSupported": "?a a exm:MediationAnalysis ; exm:mediator ?s ; exm:evidenceStatus exm:Supported .",
    "mechanismsWithoutTheme": "?s a exm:Mechanism FILTER NOT EXISTS { ?s exm:inTheme ?t }",
    # joint mediators (exm:jointMediator, an exm:MediatorSet): the set's effect, never counted for one member above
    "jointMediationAnalyses": "?s a exm:MediationAnalysis ; exm:jointMediator ?set .",
    "mechanismsTestedJointly": "?a a exm:MediationAnalysis ; exm:jointMediator/exm:hasMember ?s . ?s a exm:Mechanism .",
    "mechanismsTestedOnlyJointly": "?a exm:jointMediator/exm:hasMember ?s . ?s a exm:Mechanism ."
    " FILTER NOT EXISTS { ?b a exm:MediationAnalysis ; exm:mediator ?s }",
    "mechanismsProposedNeverTested": "?c exm:proposedMechanism ?s ."
    " FILTER NOT EXISTS { ?a a exm:MediationAnalysis ; exm:mediator ?s }",
    "nullMediationAnalyses": "?s a exm:MediationAnalysis . { ?s exm:hasEffect ?e . ?e a exm:IndirectEffect ;"
    " exm:ciLower ?lo ; exm:ciUpper ?hi FILTER(?lo <= 0 && ?hi >= 0) } UNION { ?s exm:statedFinding exm:NoMediationFound }",
    "mediationAnalysesNumbersUnreadable": "?s a exm:MediationAnalysis ; exm:numbersReadable false .",
    "mediationAnalysesWithoutCi": "?s a exm:MediationAnalysis FILTER NOT EXISTS { ?s exm:hasEffect ?e ."
    " ?e a exm:IndirectEffect ; exm:ciLower ?lo ; exm:ciUpper ?hi }",
}

LABELS = {
    "triples": "triples in the merged graph",
    "trials": "randomised trials",
    "sourcedTrials": "trials with a source and a DOI, PMID or registration",
    "abstractOnlyTrials": "trials whose mechanisms were read from the abstract only",
    "partialTextTrials": "trials whose mechanisms were read from the abstract and some sections (not the full text)",
    "fullTextTrials": "trials whose mechanisms were read from the full text",
    "citationOnlyTrials": "trials known only from a verified citation (no mechanism extracted)",
    "trialsWithoutSampleSize": "trials whose sample size is not recorded",
    "mechanisms": "mechanisms (candidate mediators) in the vocabulary",
    "mechanismsNamedInReview": "of which named by Wun et al. 2021 in a readable source",
    "reviewMechanismNamesSourced": "of the review's 33 mechanism names, found in a readable source",
    "reviewNamesNotInVocabulary": "of which not (yet) linked to a vocabulary mechanism",
    "reviewMechanismNamesMissing": "of the review's 33 mechanism names, not yet sourced",
    "claims": "mechanism claims",
    "sourcedClaims": "claims with source and location",
    "trialsWithClaims": "trials with at least one mechanism claim",
    "mediatorMeasurements": "mediator measurements (a trial measured a candidate mediator)",
    "mediationAnalyses": "mediation analyses",
    "sourcedMediationAnalyses": "mediation analyses with source and location",
    "mediationPublications": "publications reporting mediation analyses",
    "publicationsWithoutDoi": "publications with no DOI",
    "mechanismsProposed": "mechanisms proposed by at least one trial",
    "mechanismsMeasured": "mechanisms measured in at least one trial",
    "mechanismsTested": "mechanisms tested by at least one mediation analysis",
    "mechanismsSupported": "mechanisms supported as mediators by at least one analysis",
    "mechanismsWithoutTheme": "mechanisms whose theme no source read states (exm:inTheme absent)",
    "jointMediationAnalyses": "mediation analyses of several mediators tested together (a joint mediator)",
    "mechanismsTestedJointly": "mechanisms tested as a member of a joint mediator",
    "mechanismsTestedOnlyJointly": "of which never tested alone",
    "mechanismsProposedNeverTested": "mechanisms proposed but never tested",
    "nullMediationAnalyses": "mediation analyses with a null result (CI includes zero, or no mediation stated)",
    "mediationAnalysesNumbersUnreadable": "mediation analyses whose numbers could not be read (finding stated)",
    "mediationAnalysesWithoutCi": "mediation analyses with no readable CI for an indirect effect",
}


def headline(source) -> dict[str, int]:
    """Counts of trials, mechanisms, claims, mediation analyses, how many are sourced, and known gaps, on an
    rdflib Graph or any store."""
    store = as_store(source)
    figures = {"triples": store.count()}
    for name, pattern in _COUNTS.items():
        rows = store.select(f"{_P} SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}").rows
        figures[name] = int(str(rows[0][0])) if rows and rows[0][0] is not None else 0
    review = store.select(_P + "SELECT ?u WHERE { ?r a exm:Review ; exm:uniqueMechanisms ?u } LIMIT 1").rows
    if review:  # the review's mechanism names no readable source gave us: counted, never guessed
        figures["reviewMechanismNamesMissing"] = (
            int(str(review[0][0])) - figures["reviewMechanismNamesSourced"]
        )
    return figures
