package io.p2pshare.protocol;

import java.util.List;

/** SEARCH_RESPONSE payload. {@code truncated} is set for {@code contains} queries. */
public record SearchResponse(String status, String fileName, List<SearchResult> results, Boolean truncated) {}
