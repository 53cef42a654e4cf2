#pragma once

#include "log/DetachedRun.h"

// A container GPU Deck did not start in this window (or started before it was opened): its last
// lines, then its output as it comes (docker logs -f --tail N), until it ends (DetachedRun).
class FollowRun : public DetachedRun
{
    Q_OBJECT

public:
    static constexpr int DefaultTail = 1000;

    FollowRun(DockerClient *client, const QString &id, bool tty, int tail = DefaultTail,
              QObject *parent = nullptr);

private:
    ContainerStream *openStream(DockerClient *client) override;

    bool m_tty;
    int m_tail;
};
