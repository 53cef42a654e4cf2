#pragma once

#include "common/Error.h"
#include "engine/StreamDemuxer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

#include <optional>

class ContainerStream;
class DockerClient;
struct LaunchSpec;

// Runs a launch as a swarm service on a manager: creates the service (see SwarmService), follows
// its tasks, streams each task's output live as it runs, and removes the service when every task
// has ended (unless detached). The exit code is the first non-zero task exit code, else 0.
//
// A task the scheduler cannot place (no node has the NVIDIA-GPU resources) stays pending; after
// kPendingGiveUpMs it counts as a failed launch with the scheduler's reason, and the service goes.
class SwarmLauncher : public QObject
{
    Q_OBJECT

public:
    static constexpr int kPollMs = 150;
    static constexpr int kPendingGiveUpMs = 8000;

    explicit SwarmLauncher(DockerClient *client, QObject *parent = nullptr);

    // name: the service's name; empty lets the swarm pick one.
    void launch(const LaunchSpec &spec, int replicas, bool detach, const QString &name = {});
    // Removes the service (Ctrl+C); finished follows with the error Cancelled.
    void stop();

    const QString &serviceId() const { return m_serviceId; }
    std::optional<int> exitCode() const { return m_exitCode; }
    const Error &error() const { return m_error; }

signals:
    void note(const QString &sentence); // what the swarm does differently; for stderr
    void output(StreamDemuxer::Channel channel, const QByteArray &data);
    void finished();

private:
    void create(const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers,
                bool detach);
    struct Task
    {
        QPointer<ContainerStream> live;
        qint64 shown[2] = {0, 0}; // bytes already passed on, stdout and stderr
        qint64 skip[2] = {0, 0};  // of those, still to be skipped in the final full read
        bool ended = false;
        bool flushed = false;
    };

    void poll();
    void onTasks(const QJsonArray &tasks);
    void follow(const QString &id);
    void flush(const QString &id);
    void passOn(Task &task, StreamDemuxer::Channel channel, const QByteArray &data, bool replay);
    void cancelNow();
    void maybeDone();
    void removeService(std::function<void()> then);
    void fail(const Error &error);
    void done();

    QPointer<DockerClient> m_client;
    QObject *m_calls = nullptr; // context of pending calls; deleted to drop late answers
    QTimer m_poll;
    QElapsedTimer m_pendingSince;
    QString m_serviceId;
    QString m_pendingReason;
    QHash<QString, Task> m_tasks;
    int m_replicas = 1;
    bool m_tty = false;
    bool m_polling = false;
    bool m_finished = false;
    bool m_stopping = false;
    std::optional<int> m_exitCode;
    Error m_error;
};
