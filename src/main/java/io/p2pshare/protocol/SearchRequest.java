package io.p2pshare.protocol;

/** SEARCH_REQUEST payload. */
public record SearchRequest(SearchQuery query) {
  public SearchRequest {
    ProtocolException.require(query, "query");
  }
}
