#pragma once

#include "common/Error.h"
#include "engine/StreamDemuxer.h"
#include "launch/LaunchSpec.h"
#include "launch/Launcher.h"
#include "log/AnsiParser.h"

#include <QLabel>
#include <QList>
#include <QPlainTextEdit>
#include <QStringDecoder>
#include <QTextCharFormat>
#include <QTimer>
#include <QUrl>
#include <QWidget>

class DockerClient;
class Launcher;
class SwarmLauncher;
class PortLinks;

// One launch: a container (its Launcher) or a service on a swarm (its SwarmLauncher, output of
// every task), run and shown live. Output is buffered as it
// arrives and rendered in batches on a short timer into a capped document, so that a flood never
// holds the event loop for long: a batch renders at most a line and byte budget, and older output
// of a batch over budget is skipped (and said so), as the cap would drop it soon anyway.
class LogPage : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultMaxBlocks = 10000;
    static constexpr int MaxLineLength = 4096; // longer lines wrap into blocks of this size
    // Which stream a piece of text came from, stored in its character format.
    static constexpr int ChannelProperty = QTextFormat::UserProperty + 1;

    // A service on a swarm, as `gpudeck swarm run --replicas N`.
    struct OnSwarm
    {
        int replicas = 1;
    };

    LogPage(DockerClient *client, const LaunchSpec &spec, QWidget *parent = nullptr);
    LogPage(DockerClient *client, const LaunchSpec &spec, OnSwarm swarm, QWidget *parent = nullptr);
    ~LogPage() override;

    void start();
    // Stops a running container (SIGTERM, then a kill after the grace period); cancels a launch
    // still under way. A swarm launch: removes the service.
    void stop();
    // Gives up the launch at once: a container is killed and removed, a service removed.
    void cancel();
    bool isActive() const;
    bool isRunning() const;
    // Where the launch is, in the container's terms for both kinds (a service: Creating until its
    // first task runs, then Running; Exited, Failed or Cancelled at the end).
    Launcher::State state() const;
    std::optional<qint64> exitCode() const;
    const Error &error() const;

    // The container's Launcher; null for a swarm launch.
    Launcher *launcher() const { return m_launcher; }
    SwarmLauncher *swarmLauncher() const { return m_swarm; }
    bool isSwarm() const { return m_swarm != nullptr; }
    // The container's published ports as links this machine can open (null without ports).
    PortLinks *portLinks() const { return m_portLinks; }
    QLabel *portsLabel() const { return m_ports; }
    QPlainTextEdit *textEdit() const { return m_text; }
    const LaunchSpec &spec() const { return m_spec; }
    // "image · id @ engine": where the container runs, once setEngineName() named it.
    QString title() const;
    void setEngineName(const QString &name) { m_engineName = name; }
    QString engineName() const { return m_engineName; }
    QString statusText() const;

    bool follows() const { return m_follow; }
    void setFollow(bool follow);
    void clear();
    bool saveTo(const QString &path, QString *error) const;

    void setFlushInterval(int ms) { m_flushTimer.setInterval(ms); }
    void setMaxBlocks(int blocks);

    qint64 bytesReceived() const { return m_bytesReceived; }
    qint64 bytesRendered() const { return m_bytesRendered; }
    qint64 bytesSkipped() const { return m_bytesSkipped; }
    int batchLines() const { return m_batchLines; }

    static QColor stderrColor();

signals:
    void statusChanged();
    // A link in the output or the header was clicked (it is opened with the desktop's browser).
    void linkActivated(const QUrl &url);
    void followChanged(bool follow);
    // The launch ended (state() is Exited, Failed or Cancelled), after its last output.
    void finished();

private:
    struct Chunk
    {
        StreamDemuxer::Channel channel;
        QByteArray bytes;
    };

    void build();
    void connectSwarm();
    void onOutput(StreamDemuxer::Channel channel, const QByteArray &data);
    void onFinished();
    void flush();
    void apply(const QList<AnsiParser::Op> &ops);
    void appendNote(const QString &text, const QTextCharFormat &format);
    void updateStatus();
    void onScrolled();
    void onPortsReady();
    void updatePorts();
    // Turns the URLs of blocks from `first` on into links to the published ports.
    void linkify(int first);
    bool eventFilter(QObject *watched, QEvent *event) override;
    QStringDecoder &decoder(StreamDemuxer::Channel channel);
    AnsiParser &parser(StreamDemuxer::Channel channel);

    DockerClient *m_client;
    QString m_engineName;
    LaunchSpec m_spec;
    Launcher *m_launcher = nullptr;
    SwarmLauncher *m_swarm = nullptr;
    int m_replicas = 1;
    bool m_swarmStarted = false;
    bool m_swarmRunning = false;
    bool m_swarmFinished = false;
    // The parts both kinds of page have (build() sets them up).
    QLabel *m_status = new QLabel(this);
    QLabel *m_ports = new QLabel(this);
    QPlainTextEdit *m_text = new QPlainTextEdit(this);
    PortLinks *m_portLinks = nullptr;
    QString m_portsProblem;

    QList<Chunk> m_pending;
    qsizetype m_pendingBytes = 0;
    QTimer m_flushTimer;
    qsizetype m_batchBytes = 256 * 1024;
    int m_batchLines = 1000; // adapts to what a batch costs to render

    QStringDecoder m_decoders[3] = {QStringDecoder(QStringDecoder::Utf8),
                                    QStringDecoder(QStringDecoder::Utf8),
                                    QStringDecoder(QStringDecoder::Utf8)};
    AnsiParser m_stdoutParser;
    AnsiParser m_stderrParser;
    QTextCharFormat m_daemonFormat;
    QTextCharFormat m_noteFormat;

    int m_lineLength = 0;     // characters in the document's last block
    bool m_overwrite = false; // a carriage return came: the next text replaces the last line
    bool m_follow = true;
    bool m_applying = false;

    qint64 m_bytesReceived = 0;
    qint64 m_bytesRendered = 0;
    qint64 m_bytesSkipped = 0;
};
