package io.p2pshare.cli;

import io.p2pshare.config.AppConfig;
import java.util.Map;

/** Opens LogSetup's package-private pieces to tests in other packages. */
public final class LogSetupAccess {
  private LogSetupAccess() {}

  public static Map<String, String> fileProperties(AppConfig.Logging l, String explicitDir) {
    return LogSetup.fileProperties(l, explicitDir);
  }
}
