package io.p2pshare.index;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;

/**
 * Cluster mode: what the replication coordinator (a Cluster Singleton) sees as "the registry".
 * It answers {@code GetPeers} from this node's {@link PeerDirectory} (every peer of the cluster)
 * and sends {@code DeliverTasks} to all nodes, where the registry holding the target's session
 * pushes them (the others have no such session and drop them).
 */
public final class ClusterRegistryFacade {

  public static Behavior<PeerRegistry.Command> create(PeerDirectory directory,
      ActorRef<Topic.Command<ClusterBridge.Event>> topic) {
    return Behaviors.receive(PeerRegistry.Command.class)
        .onMessage(PeerRegistry.GetPeers.class, g -> {
          g.replyTo().tell(new PeerRegistry.Peers(directory.all()));
          return Behaviors.same();
        })
        .onMessage(PeerRegistry.DeliverTasks.class, d -> {
          topic.tell(Topic.publish(new ClusterBridge.Deliver(d.peerId(), d.tasks())));
          return Behaviors.same();
        })
        .build();
  }

  private ClusterRegistryFacade() {}
}
