#pragma once

#include "log/LaunchRun.h"

#include <QPointer>

class ContainerStream;
class DockerClient;
class WaitCall;

// A container GPU Deck did not start in this window (or started before it was opened): its last
// lines, then its output as it comes (docker logs -f --tail N), until it ends. Running while it is
// followed, then Exited with the code a wait for not-running gives. The tab is detached from the
// container: cancel() (closing the tab, quitting) only stops following; stop() stops the container
// with the engine's grace period.
class FollowRun : public LaunchRun
{
    Q_OBJECT

public:
    static constexpr int DefaultTail = 1000;

    FollowRun(DockerClient *client, const QString &id, bool tty, int tail = DefaultTail,
              QObject *parent = nullptr);
    ~FollowRun() override;

    void start() override;
    void stop() override;
    void cancel() override;
    bool isDetached() const override { return true; }
    Launcher::State state() const override { return m_state; }
    std::optional<qint64> exitCode() const override { return m_exitCode; }
    const Error &error() const override { return m_error; }
    QString id() const override { return m_id; }

private:
    void onLogsEnded();
    void finish(Launcher::State state);

    QPointer<DockerClient> m_client;
    QString m_id;
    bool m_tty;
    int m_tail;
    QPointer<ContainerStream> m_logs;
    QPointer<WaitCall> m_wait;
    Launcher::State m_state = Launcher::State::Idle;
    std::optional<qint64> m_exitCode;
    Error m_error;
    bool m_logsDone = false;
    bool m_waitDone = false;
};
