#pragma once

#include "log/LaunchRun.h"

#include <QPointer>

class ContainerStream;
class DockerClient;
class WaitCall;

// A running interactive container's terminal again (docker attach): its output from now on, keys
// to its stdin, the view's size to the engine. Running while attached, then Exited with the code
// a wait for not-running gives. Like a followed tab it is detached from the container: cancel()
// and detach() only let go (with a tty the engine keeps its stdin open for the next attach);
// stop() stops it with the engine's grace period.
class AttachRun : public LaunchRun
{
    Q_OBJECT

public:
    AttachRun(DockerClient *client, const QString &id, QObject *parent = nullptr);
    ~AttachRun() override;

    void start() override;
    void stop() override;
    void cancel() override;
    bool isDetached() const override { return true; }
    Launcher::State state() const override { return m_state; }
    std::optional<qint64> exitCode() const override { return m_exitCode; }
    const Error &error() const override { return m_error; }
    QString id() const override { return m_id; }

    void write(const QByteArray &bytes);
    void resize(int rows, int columns);

private:
    void onStreamEnded();
    void finish(Launcher::State state);

    QPointer<DockerClient> m_client;
    QString m_id;
    QPointer<ContainerStream> m_stream;
    QPointer<WaitCall> m_wait;
    Launcher::State m_state = Launcher::State::Idle;
    std::optional<qint64> m_exitCode;
    Error m_error;
    int m_rows = 0;
    int m_columns = 0;
    bool m_streamDone = false;
    bool m_waitDone = false;
};
