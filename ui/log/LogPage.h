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

#include <optional>

class ContainerUsePlot;
class GpuMonitor;
class LaunchRun;
class Launcher;
class SwarmLauncher;
class TerminalView;

// The base of a log tab: one launch (a container's in ContainerLogPage, a swarm service's in
// SwarmLogPage), driven by its LaunchRun and shown live. Output is buffered as it arrives and
// rendered in batches on a short timer into a capped document, so that a flood never holds the
// event loop for long: a batch renders at most a line and byte budget, and older output of a batch
// over budget is skipped (and said so), as the cap would drop it soon anyway.
class LogPage : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultMaxBlocks = 10000;
    static constexpr int MaxLineLength = 4096; // longer lines wrap into blocks of this size
    // Which stream a piece of text came from, stored in its character format.
    static constexpr int ChannelProperty = QTextFormat::UserProperty + 1;

    ~LogPage() override;

    void start();
    void stop();
    void cancel();
    // Lets go of the running container, which runs on (LaunchRun::detach).
    void detach();
    bool isActive() const;
    // Its container runs on its own (LaunchRun::isDetached): closing the tab only lets go of it.
    bool isDetached() const;
    bool isRunning() const;
    // A free-GPU launch waiting for its GPUs: nothing is created yet (Launcher::isWaitingForGpus).
    bool isWaitingForGpus() const;
    // Where the launch is, in the container's terms for both kinds (LaunchRun::state()).
    Launcher::State state() const;
    std::optional<qint64> exitCode() const;
    const Error &error() const;

    LaunchRun *run() const { return m_run; }
    // The container's Launcher; null for a swarm launch.
    virtual Launcher *launcher() const { return nullptr; }
    // The service's SwarmLauncher; null for a container.
    virtual SwarmLauncher *swarmLauncher() const { return nullptr; }
    bool isSwarm() const { return swarmLauncher() != nullptr; }
    // The container's terminal when the tab shows one (an interactive launch, an attach) in place
    // of the text; null otherwise. Closing such a tab asks whether to detach or stop.
    virtual TerminalView *terminal() const { return nullptr; }
    QLabel *portsLabel() const { return m_ports; }
    // The container's GPU memory and utilisation over its life, in the header, from monitor (its
    // host's); nothing for a swarm service or without a monitor.
    void showGpuUse(GpuMonitor *monitor);
    ContainerUsePlot *usePlot() const { return m_usePlot; }
    QPlainTextEdit *textEdit() const { return m_text; }
    const LaunchSpec &spec() const { return m_spec; }
    // "image · id @ engine": where the launch runs, once setEngineName() named it.
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

    // The spec a tab of a container it did not launch shows: the status line names the container
    // where a launch's names its image, and it holds the GPUs it was given (not "no GPUs").
    static LaunchSpec specOfContainer(const QString &name);

signals:
    void statusChanged();
    // A link in the output or the header was clicked (it is opened with the desktop's browser).
    void linkActivated(const QUrl &url);
    void followChanged(bool follow);
    // The launch ended (state() is Exited, Failed or Cancelled), after its last output.
    void finished();

protected:
    // run becomes the page's child. The subclass's constructor ends with updateStatus().
    LogPage(LaunchRun *run, const LaunchSpec &spec, QWidget *parent);

    // The launch's state in words ("Running: 1a2b…"), for the status line.
    virtual QString stateText() const = 0;
    // The GPUs when a share of them was asked for (a count, devices, free ones), in words.
    virtual QString gpuShareText() const = 0;
    // The title without the engine: the image (elided) and the id.
    virtual QString titleText(const QString &image) const = 0;
    // The closing line of an exited or cancelled launch.
    virtual QString endText() const = 0;
    // What a failed launch says, in the status line and as the tab's last note.
    virtual QString failureText() const;
    // Blocks from first on were just rendered (links may be made of them).
    virtual void rendered(int first) { Q_UNUSED(first) }
    // The launch ended; its end note follows.
    virtual void ending() { }

    void updateStatus();
    void addNote(const QString &text);
    QLabel *statusLabel() const { return m_status; }
    // A control of the page's own kind (a container's Shell button), above the output.
    void addControl(QWidget *widget);
    // A view of the output in place of the text (an interactive launch's terminal).
    void replaceOutputView(QWidget *widget);

private:
    struct Chunk
    {
        StreamDemuxer::Channel channel;
        QByteArray bytes;
    };

    void build();
    void onOutput(StreamDemuxer::Channel channel, const QByteArray &data);
    void onFinished();
    void flush();
    void apply(const QList<AnsiParser::Op> &ops);
    void appendNote(const QString &text, const QTextCharFormat &format);
    QString gpuText() const;
    void onScrolled();
    bool eventFilter(QObject *watched, QEvent *event) override;
    QStringDecoder &decoder(StreamDemuxer::Channel channel);
    AnsiParser &parser(StreamDemuxer::Channel channel);

    LaunchRun *m_run;
    QString m_engineName;
    LaunchSpec m_spec;
    // The parts both kinds of page have (build() sets them up).
    QLabel *m_status = new QLabel(this);
    QLabel *m_ports = new QLabel(this);
    ContainerUsePlot *m_usePlot = nullptr;
    QPlainTextEdit *m_text = new QPlainTextEdit(this);

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
