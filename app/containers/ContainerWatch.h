#pragma once

#include "ContainersModel.h"
#include "common/Error.h"
#include "engine/DockerClient.h" // QPointer<DockerClient> needs the whole type

#include <QObject>
#include <QPointer>

class EngineWatch;

// Keeps a ContainersModel current for one engine without polling: lists every container once the
// engine answers (again after it came back), then applies the engine's container events (create,
// start, die, stop, kill, pause, unpause, restart, rename, update: the container is inspected
// again; destroy: its row goes). The events come through an EngineWatch, the one given (the
// engine's own) or one of its own.
class ContainerWatch : public QObject
{
    Q_OBJECT

public:
    explicit ContainerWatch(DockerClient *client, EngineWatch *watch = nullptr,
                            QObject *parent = nullptr);
    ~ContainerWatch() override;

    ContainersModel *model() const { return m_model; }
    DockerClient *client() const { return m_client; }
    // Lists again (a manual refresh); an own EngineWatch is started on the first call.
    void start();
    // Engine events applied so far, for tests and the benchmark.
    int eventsApplied() const { return m_eventsApplied; }

    // One engine event, as EngineWatch::engineEvent gives it.
    void onEvent(const QJsonObject &event);

signals:
    void listed();
    // The listing failed (the engine is gone, or refused): one sentence in error.
    void failed(const Error &error);
    // A container's row changed after an event (for tests and the benchmark).
    void containerUpdated(const QString &id);

private:
    void relist();
    void refresh(const QString &id);

    QPointer<DockerClient> m_client;
    QPointer<EngineWatch> m_watch;
    bool m_ownWatch = false;
    ContainersModel *m_model;
    QObject *m_listing = nullptr; // context of the listing in flight
    int m_eventsApplied = 0;
};
