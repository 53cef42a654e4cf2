#pragma once

#include "common/Error.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

class DockerClient;
class ExecSession;
class TerminalView;

// Runs a command with a terminal in a running container and joins it to a TerminalView: the
// command's output to the screen, keys to its stdin, the view's size to the engine. Without a
// command it runs the first of bash and sh the image has. ended() once, with the exit code or
// the error that ended it; the view keeps its last screen.
class ExecTerminal : public QObject
{
    Q_OBJECT

public:
    ExecTerminal(DockerClient *client, QString container, TerminalView *view,
                 QStringList command = {}, QObject *parent = nullptr);

    static QStringList shellCommand(); // bash where there is one, else sh

    void start();
    void stop(); // drops the connection; the command gets a hangup
    bool isRunning() const;
    std::optional<int> exitCode() const;
    Error error() const;
    // One line: how it ended (the exit code, or what broke off, and what to do then).
    QString endText() const;
    // How endText() names the container (its id until set).
    void setContainerName(const QString &name) { m_name = name; }

signals:
    void started();
    void ended();

private:
    QPointer<DockerClient> m_client;
    QString m_container;
    QString m_name;
    QPointer<TerminalView> m_view;
    ExecSession *m_session = nullptr;
    QStringList m_command;
};
