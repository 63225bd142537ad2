package io.p2pshare.cli;

import io.p2pshare.config.AppConfig;
import io.p2pshare.config.ConfigLoader;
import io.p2pshare.config.Endpoint;
import io.p2pshare.protocol.Envelope;
import io.p2pshare.transport.ClientSockets;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --index}, {@code --config} and {@code --tls-trust} for the one-shot commands that ask
 * the index one question ({@code search}, {@code stats}): where the index is, and one request to it.
 */
public final class IndexOptions {
  @Option(names = "--index", paramLabel = "HOST:PORT", description = "Index address (default $P2P_INDEX, else server.* in the config).")
  String index;

  @Option(names = "--config", description = "Config file (default config/config.json).")
  Path config;

  @Mixin TlsTrustOption tlsTrust;

  /** The index these options name (flag > environment > config file > default), read once. */
  Target target() {
    ConfigLoader loader = ConfigLoader.fromSystem();
    AppConfig cfg = loader.load(config);
    return new Target(loader.indexEndpoint(index, cfg), tlsTrust.sockets(loader, cfg));
  }

  /** Where the index is and how to reach it (plain or TLS). */
  record Target(Endpoint at, ClientSockets sockets) {
    /** One request on a fresh connection; an error reply or an unreachable index is one clear line. */
    Envelope request(String type, Object payload) {
      return IndexCall.request(at, sockets, type, payload);
    }
  }
}
