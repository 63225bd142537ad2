package io.p2pshare.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads {@code config.json}. Precedence, resolved once: flag > environment > file > default.
 * Without {@code --config} or {@code P2P_CONFIG}, {@code config/config.json} is used if present,
 * else the built-in defaults; a named file that is missing or malformed is an error.
 */
public final class ConfigLoader {
  public static final Path DEFAULT_PATH = Path.of("config", "config.json");
  public static final String ENV_CONFIG = "P2P_CONFIG";
  public static final String ENV_INDEX = "P2P_INDEX";
  public static final String ENV_DATA_DIR = "P2P_DATA_DIR";
  public static final String ENV_ADVERTISE_HOST = "P2P_ADVERTISE_HOST";
  public static final String ENV_TLS_CERT = "P2P_TLS_CERT";
  public static final String ENV_TLS_KEY = "P2P_TLS_KEY";
  public static final String ENV_TLS_TRUST = "P2P_TLS_TRUST";

  private static final JsonMapper CONFIG_MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  public static ConfigLoader fromSystem() {
    return new ConfigLoader(System.getenv());
  }

  /** The config named by the flag, else by {@code P2P_CONFIG}, else the default file if any. */
  public AppConfig load(Path flag) {
    if (flag != null) {
      return read(flag);
    }
    String fromEnv = env.get(ENV_CONFIG);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return read(Path.of(fromEnv));
    }
    return Files.isRegularFile(DEFAULT_PATH) ? read(DEFAULT_PATH) : AppConfig.defaults();
  }

  /** The index address a client should use: flag > {@code P2P_INDEX} > config {@code server}. */
  public Endpoint indexEndpoint(String flag, AppConfig config) {
    if (flag != null && !flag.isBlank()) {
      return Endpoint.parse(flag);
    }
    String fromEnv = env.get(ENV_INDEX);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Endpoint.parse(fromEnv);
    }
    return new Endpoint(config.server().host(), config.server().port());
  }

  /**
   * The TLS files, each resolved on its own: {@code --tls-cert/--tls-key/--tls-trust} >
   * {@code P2P_TLS_CERT/KEY/TRUST} > {@code tls.cert/key/trust} in the file > none.
   */
  public AppConfig.Tls tls(Path certFlag, Path keyFlag, Path trustFlag, AppConfig config) {
    return new AppConfig.Tls(
        pick(certFlag, ENV_TLS_CERT, config.tls().cert()),
        pick(keyFlag, ENV_TLS_KEY, config.tls().key()),
        pick(trustFlag, ENV_TLS_TRUST, config.tls().trust()));
  }

  private String pick(Path flag, String envName, String fromFile) {
    if (flag != null) {
      return flag.toString();
    }
    String e = env(envName);
    if (e != null) {
      return e;
    }
    return fromFile == null || fromFile.isBlank() ? null : fromFile;
  }

  /** A plain environment override, or null. */
  public String env(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  public static AppConfig read(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + path);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    return parse(text, path.toString());
  }

  public static AppConfig parse(String json, String source) {
    try {
      AppConfig config = CONFIG_MAPPER.readValue(json, AppConfig.class);
      if (config == null) {
        throw new ConfigException(source + ": empty config file");
      }
      return config;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String msg = e.getOriginalMessage();
      int nl = msg == null ? -1 : msg.indexOf('\n');
      throw new ConfigException("malformed config " + source + where + ": "
          + (nl < 0 ? msg : msg.substring(0, nl)));
    }
  }
}
