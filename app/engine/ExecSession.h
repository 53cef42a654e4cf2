#pragma once

#include "StreamDemuxer.h"
#include "common/Error.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

class ContainerStream;
class DockerClient;

// A command run in a running container, as docker exec runs it: POST /containers/{id}/exec, then
// POST /exec/{id}/start hijacked (stdin written to the connection, half-closed at end-of-file),
// then GET /exec/{id}/json for the exit code. finished comes once; exitCode() is the command's
// (126/127 as the engine reports a command it cannot run) or empty when error() says why not.
class ExecSession : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QStringList command;
        bool tty = false;
        bool interactive = false; // stdin attached
        QString user;
        QString workingDir;
        QStringList env; // KEY=VALUE
        int rows = 0;    // the terminal's size at start (with tty); 0: the engine's default
        int columns = 0;
    };

    ExecSession(DockerClient *client, QString container, Options options,
                QObject *parent = nullptr);
    ~ExecSession() override;

    void start();
    // To the command's stdin; bytes written before the engine answered go out once it has.
    void write(const QByteArray &data);
    void closeStdin(); // end-of-file once what was written is out
    void resize(int rows, int columns);
    void cancel();

    const Options &options() const { return m_options; }
    QString execId() const { return m_execId; }
    bool isStarted() const { return m_started; }
    bool isFinished() const { return m_finished; }
    std::optional<int> exitCode() const { return m_exitCode; }
    const Error &error() const { return m_error; }

signals:
    void started(); // the command runs and its output flows
    void output(StreamDemuxer::Channel channel, const QByteArray &data);
    void finished();

private:
    void onCreated(const QString &execId);
    void onStreamFinished();
    void readExitCode(int attempt);
    void sendResize(int attempt);
    void finish(const Error &error);

    QPointer<DockerClient> m_client;
    QString m_container;
    Options m_options;
    QString m_execId;
    QPointer<ContainerStream> m_stream;
    QObject *m_calls = nullptr; // context of pending calls: deleting it drops their answers
    QByteArray m_pending;
    bool m_stdinClosed = false;
    bool m_started = false;
    bool m_finished = false;
    int m_sentRows = 0;
    int m_sentColumns = 0;
    std::optional<int> m_exitCode;
    Error m_error;
};
