package io.p2pshare.protocol;

/** {@code query}: exact {@code file_name} (base) or {@code contains} with filters (ext). */
public record SearchQuery(String fileName, String contains, Long minSize, Long maxSize, Integer limit) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  public SearchQuery {
    if ((fileName == null || fileName.isEmpty()) && (contains == null || contains.isEmpty())) {
      throw ProtocolException.badRequest("query needs 'file_name' or 'contains'");
    }
    if (limit != null && limit < 1) {
      throw ProtocolException.badRequest("limit must be at least 1");
    }
  }

  public static SearchQuery exact(String name) {
    return new SearchQuery(name, null, null, null, null);
  }

  public static SearchQuery contains(String text, Integer limit) {
    return new SearchQuery(null, text, null, null, limit);
  }

  public boolean isExact() {
    return fileName != null && !fileName.isEmpty();
  }

  public int effectiveLimit() {
    return limit == null ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
  }

  public boolean sizeMatches(FileMeta meta) {
    long size = meta == null ? 0 : meta.sizeOrZero();
    return (minSize == null || size >= minSize) && (maxSize == null || size <= maxSize);
  }
}
