package io.p2pshare.cli;

import io.p2pshare.protocol.Envelope;
import io.p2pshare.protocol.FileMeta;
import io.p2pshare.protocol.MessageType;
import io.p2pshare.protocol.SearchQuery;
import io.p2pshare.protocol.SearchRequest;
import io.p2pshare.protocol.SearchResponse;
import io.p2pshare.protocol.SearchResult;
import io.p2pshare.protocol.Wire;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code search QUERY [--index H:P] [--contains] [--json]}: one-shot search. */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "Ask the index which peers serve a file (exact name, or --contains for a substring).")
public final class SearchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "QUERY", description = "File name (or substring with --contains).")
  String query;

  @Option(names = "--contains", description = "Case-insensitive substring search.")
  boolean contains;

  @Option(names = "--limit", description = "Most results for --contains (default 100, max 1000).")
  Integer limit;

  @Option(names = "--min-size", description = "Only files of at least this many bytes.")
  Long minSize;

  @Option(names = "--max-size", description = "Only files of at most this many bytes.")
  Long maxSize;

  @Option(names = "--json", description = "Print the SEARCH_RESPONSE payload as JSON.")
  boolean json;

  @picocli.CommandLine.Mixin IndexOptions indexOptions;

  @Override
  public Integer call() throws Exception {
    SearchQuery q = contains
        ? new SearchQuery(null, query, minSize, maxSize, limit)
        : new SearchQuery(query, null, minSize, maxSize, limit);
    Envelope reply = indexOptions.target().request(MessageType.SEARCH_REQUEST, new SearchRequest(q));
    SearchResponse resp = reply.payloadAs(SearchResponse.class);
    PrintStream out = System.out;
    if (json) {
      out.println(Wire.MAPPER.writeValueAsString(reply.payload()));
      return resp.results().isEmpty() ? 1 : 0;
    }
    if (resp.results().isEmpty()) {
      System.err.println(contains ? "No files match '" + query + "'." : "No peers serving '" + query + "'.");
      return 1;
    }
    if (contains) {
      out.println("Files matching '" + query + "' (" + resp.results().size()
          + (Boolean.TRUE.equals(resp.truncated()) ? ", truncated" : "") + "):");
      for (SearchResult r : resp.results()) {
        out.println("  - " + r.fileName() + "  " + describe(r));
      }
    } else {
      out.println("Peers serving '" + query + "':");
      for (SearchResult r : resp.results()) {
        out.println("  - " + describe(r));
      }
    }
    return 0;
  }

  private static String describe(SearchResult r) {
    StringBuilder s = new StringBuilder(r.peerId()).append(" @ ")
        .append(r.peer().host()).append(':').append(r.peer().port());
    FileMeta m = r.meta();
    if (m != null && (m.sizeBytes() != null || m.sha256() != null)) {
      s.append(" (");
      if (m.sizeBytes() != null) {
        s.append(m.sizeBytes()).append(" bytes");
      }
      if (m.sha256() != null) {
        s.append(m.sizeBytes() != null ? ", " : "").append("sha256 ")
            .append(m.sha256(), 0, Math.min(12, m.sha256().length()));
      }
      s.append(')');
    }
    return s.toString();
  }
}
