#pragma once

#include "log/DetachedRun.h"

// A running interactive container's terminal again (docker attach): its output from now on, keys
// to its stdin, the view's size to the engine (DetachedRun). Like a followed tab it is detached
// from the container: cancel() and detach() only let go (with a tty the engine keeps its stdin
// open for the next attach). A broken attach or wait ends it with that error.
class AttachRun : public DetachedRun
{
    Q_OBJECT

public:
    AttachRun(DockerClient *client, const QString &id, QObject *parent = nullptr);

    void write(const QByteArray &bytes);
    void resize(int rows, int columns);

private:
    ContainerStream *openStream(DockerClient *client) override;
    void streamStarted() override;

    int m_rows = 0;
    int m_columns = 0;
};
