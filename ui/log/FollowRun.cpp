#include "log/FollowRun.h"

#include "engine/DockerClient.h"

FollowRun::FollowRun(DockerClient *client, const QString &id, bool tty, int tail, QObject *parent)
    : DetachedRun(client, id, Launcher::State::Running, Errors::AwaitTheExitCode, parent),
      m_tty(tty),
      m_tail(tail)
{
}

ContainerStream *FollowRun::openStream(DockerClient *client)
{
    return client->logs(id(), m_tty, true, m_tail);
}
