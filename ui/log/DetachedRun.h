#pragma once

#include "log/LaunchRun.h"

#include <QPointer>

class ContainerStream;
class DockerClient;
class WaitCall;

// A container this window did not start, shown through one stream (its logs, or an attach) beside
// a wait for not-running that gives its exit code: Running while shown, then Exited with that
// code. The tab is detached from the container: cancel() (closing the tab, quitting) only lets
// go; stop() stops it with its own stop timeout, else the engine's grace period.
class DetachedRun : public LaunchRun
{
    Q_OBJECT

public:
    ~DetachedRun() override;

    void start() override;
    void stop() override;
    void cancel() override;
    bool isDetached() const override { return true; }
    Launcher::State state() const override { return m_state; }
    std::optional<qint64> exitCode() const override { return m_exitCode; }
    const Error &error() const override { return m_error; }
    QString id() const override { return m_id; }

protected:
    // Whether the end of the stream or of the wait with an error is the run's end and error
    // (an attach: nothing else will come), or the exit code is still waited for (followed logs).
    enum class Errors { EndTheRun, AwaitTheExitCode };

    // openingState: the state until the stream has started (Attaching for an attach, whose
    // engine accepts it later), else Running.
    DetachedRun(DockerClient *client, const QString &id, Launcher::State openingState,
                Errors errors, QObject *parent);

    // The stream that shows the container, made on client; called once by start().
    virtual ContainerStream *openStream(DockerClient *client) = 0;
    // The stream started and the run is Running now (an attach sends its size then).
    virtual void streamStarted() { }

    DockerClient *client() const;
    ContainerStream *stream() const;

private:
    void onStreamEnded();
    void finish(Launcher::State state);

    QPointer<DockerClient> m_client;
    QString m_id;
    Launcher::State m_openingState;
    Errors m_errors;
    QPointer<ContainerStream> m_stream;
    QPointer<WaitCall> m_wait;
    Launcher::State m_state = Launcher::State::Idle;
    std::optional<qint64> m_exitCode;
    Error m_error;
    bool m_streamDone = false;
    bool m_waitDone = false;
};
