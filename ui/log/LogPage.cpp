#include "log/LogPage.h"

#include "gpus/ContainerUsePlot.h"

#include "log/LaunchRun.h"
#include "widgets/StatusColors.h"

#include <QDesktopServices>
#include <QElapsedTimer>
#include <QFile>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cstring>

namespace {

int channelIndex(StreamDemuxer::Channel channel)
{
    return int(channel) - 1;
}

QTextCharFormat channelFormat(StreamDemuxer::Channel channel)
{
    QTextCharFormat format;
    format.setProperty(LogPage::ChannelProperty, int(channel));
    return format;
}

// A cut in a chunk that does not split a UTF-8 character.
qsizetype characterStart(const QByteArray &bytes, qsizetype pos)
{
    while (pos < bytes.size() && (uchar(bytes.at(pos)) & 0xc0) == 0x80)
        ++pos;
    return pos;
}

} // namespace

LogPage::LogPage(LaunchRun *run, const LaunchSpec &spec, QWidget *parent)
    : QWidget(parent), m_run(run), m_spec(spec)
{
    run->setParent(this);
    build();
    connect(run, &LaunchRun::output, this, &LogPage::onOutput);
    connect(run, &LaunchRun::note, this, &LogPage::addNote);
    connect(run, &LaunchRun::changed, this, &LogPage::updateStatus);
    connect(run, &LaunchRun::finished, this, &LogPage::onFinished);
}

void LogPage::addControl(QWidget *widget)
{
    static_cast<QVBoxLayout *>(layout())->insertWidget(0, widget, 0, Qt::AlignRight);
}

void LogPage::showGpuUse(GpuMonitor *monitor)
{
    if (isSwarm() || !monitor)
        return;
    if (!m_usePlot) {
        m_usePlot = new ContainerUsePlot(this);
        auto *box = static_cast<QVBoxLayout *>(layout());
        box->insertWidget(box->indexOf(m_status) + 1, m_usePlot);
        connect(m_run, &LaunchRun::changed, m_usePlot,
                [this]() { m_usePlot->setContainer(m_run->id()); });
    }
    m_usePlot->setMonitor(monitor);
    m_usePlot->setContainer(m_run->id());
}

void LogPage::replaceOutputView(QWidget *widget)
{
    m_text->hide();
    static_cast<QVBoxLayout *>(layout())->addWidget(widget, 1);
}

// What both kinds of page share: the status line, the ports line and the output.
void LogPage::build()
{
    setObjectName(QStringLiteral("logPage"));
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_ports->setObjectName(QStringLiteral("portsLabel"));
    m_ports->setTextFormat(Qt::RichText);
    m_ports->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_ports->setOpenExternalLinks(false);
    m_ports->setWordWrap(true);
    connect(m_ports, &QLabel::linkActivated, this,
            [this](const QString &link) { emit linkActivated(QUrl(link)); });
    connect(this, &LogPage::linkActivated, this,
            [](const QUrl &url) { QDesktopServices::openUrl(url); });
    m_text->setObjectName(QStringLiteral("logText"));
    m_text->setReadOnly(true);
    m_text->setUndoRedoEnabled(false);
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMaximumBlockCount(DefaultMaxBlocks);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setFocusPolicy(Qt::StrongFocus);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_status);
    layout->addWidget(m_ports);
    layout->addWidget(m_text, 1);
    m_text->viewport()->installEventFilter(this);
    m_text->viewport()->setMouseTracking(true);

    m_stdoutParser = AnsiParser(channelFormat(StreamDemuxer::Channel::Stdout));
    QTextCharFormat err = channelFormat(StreamDemuxer::Channel::Stderr);
    err.setForeground(stderrColor());
    m_stderrParser = AnsiParser(err);
    m_daemonFormat = channelFormat(StreamDemuxer::Channel::DaemonError);
    m_daemonFormat.setForeground(palette().color(QPalette::Text));
    m_daemonFormat.setBackground(StatusColors::tint(StatusColors::Tone::Error, palette()));
    m_daemonFormat.setFontWeight(QFont::Bold);
    m_noteFormat.setForeground(palette().color(QPalette::PlaceholderText));
    m_noteFormat.setFontItalic(true);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(50);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogPage::flush);
    connect(m_text->verticalScrollBar(), &QScrollBar::valueChanged, this, &LogPage::onScrolled);
    connect(m_text->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this]() {
        if (m_follow)
            m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    });
}

LogPage::~LogPage()
{
    // The run goes with the QWidget part, after this page's own: nothing it says may reach it then.
    m_run->disconnect(this);
}

QColor LogPage::stderrColor()
{
    return StatusColors::text(StatusColors::Tone::Error, QGuiApplication::palette());
}

void LogPage::start()
{
    m_run->start();
    updateStatus();
}

void LogPage::stop()
{
    m_run->stop();
}

void LogPage::cancel()
{
    m_run->cancel();
}

void LogPage::detach()
{
    m_run->detach();
}

bool LogPage::isActive() const
{
    return m_run->isActive();
}

bool LogPage::isRunning() const
{
    return state() == Launcher::State::Running;
}

Launcher::State LogPage::state() const
{
    return m_run->state();
}

std::optional<qint64> LogPage::exitCode() const
{
    return m_run->exitCode();
}

bool LogPage::isWaitingForGpus() const
{
    return launcher() && launcher()->isWaitingForGpus();
}

bool LogPage::isDetached() const
{
    return m_run->isDetached();
}

const Error &LogPage::error() const
{
    return m_run->error();
}

QString LogPage::title() const
{
    QString image = m_spec.image;
    if (image.size() > 28)
        image = QStringLiteral("…") + image.right(27);
    const QString title = titleText(image);
    return m_engineName.isEmpty() ? title : tr("%1 @ %2").arg(title, m_engineName);
}

QString LogPage::statusText() const
{
    return m_status->text();
}

QString LogPage::gpuText() const
{
    switch (m_spec.gpus.mode) {
    case GpuSelection::Mode::None: return tr("no GPUs");
    case GpuSelection::Mode::All: return tr("all GPUs");
    default: return gpuShareText();
    }
}

LaunchSpec LogPage::specOfContainer(const QString &name)
{
    LaunchSpec spec;
    spec.image = name;
    spec.containerName = name;
    spec.gpus.mode = GpuSelection::Mode::Devices;
    return spec;
}

void LogPage::updateStatus()
{
    m_status->setText(tr("%1 — %2 — %3").arg(stateText(), m_spec.image, gpuText()));
    const bool bad = state() == Launcher::State::Failed || (exitCode() && *exitCode() != 0);
    m_status->setStyleSheet(bad ? StatusColors::styleSheet(StatusColors::Tone::Error, m_status)
                                : QString());
    emit statusChanged();
}

QStringDecoder &LogPage::decoder(StreamDemuxer::Channel channel)
{
    return m_decoders[qBound(0, channelIndex(channel), 2)];
}

AnsiParser &LogPage::parser(StreamDemuxer::Channel channel)
{
    return channel == StreamDemuxer::Channel::Stderr ? m_stderrParser : m_stdoutParser;
}

void LogPage::onOutput(StreamDemuxer::Channel channel, const QByteArray &data)
{
    if (data.isEmpty())
        return;
    m_bytesReceived += data.size();
    m_pendingBytes += data.size();
    if (!m_pending.isEmpty() && m_pending.last().channel == channel)
        m_pending.last().bytes.append(data);
    else
        m_pending.append({channel, data});
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void LogPage::flush()
{
    if (m_pending.isEmpty())
        return;
    QList<Chunk> pending;
    pending.swap(m_pending);
    m_pendingBytes = 0;

    // Walk back from the newest output to where this batch's budget begins.
    qsizetype keepBytes = 0;
    int keepLines = 0;
    qsizetype first = 0;  // first chunk rendered
    qsizetype offset = 0; // where rendering starts in it
    for (qsizetype i = pending.size() - 1; i >= 0; --i) {
        const QByteArray &bytes = pending.at(i).bytes;
        const auto lines = int(std::count(bytes.cbegin(), bytes.cend(), '\n'));
        if (keepBytes + bytes.size() <= m_batchBytes && keepLines + lines <= m_batchLines) {
            keepBytes += bytes.size();
            keepLines += lines;
            continue;
        }
        // The cut falls in this chunk: just after a newline when one is in reach, so that the
        // rendered part starts at the beginning of a line.
        const qsizetype floor = qMax<qsizetype>(0, bytes.size() - (m_batchBytes - keepBytes));
        const int linesLeft = m_batchLines - keepLines;
        qsizetype cut = -1;
        qsizetype pos = bytes.size();
        int kept = 0; // newlines after the candidate cut
        while (pos > floor && kept <= linesLeft) {
            const auto *nl = static_cast<const char *>(
                memrchr(bytes.constData() + floor, '\n', size_t(pos - floor)));
            if (!nl)
                break;
            pos = nl - bytes.constData();
            if (kept <= linesLeft)
                cut = pos + 1;
            ++kept;
        }
        if (cut < 0)
            cut = floor;
        first = i;
        offset = characterStart(bytes, cut);
        break;
    }

    QList<AnsiParser::Op> ops;
    if (first > 0 || offset > 0) {
        qint64 skipped = 0;
        for (qsizetype i = 0; i <= first; ++i) {
            const Chunk &chunk = pending.at(i);
            const qsizetype n = i == first ? offset : chunk.bytes.size();
            if (n == 0)
                continue;
            if (chunk.channel != StreamDemuxer::Channel::DaemonError)
                parser(chunk.channel).skip(QByteArrayView(chunk.bytes.constData(), n));
            decoder(chunk.channel) = QStringDecoder(QStringDecoder::Utf8);
            skipped += n;
        }
        m_bytesSkipped += skipped;
        if (m_lineLength > 0)
            ops.append({AnsiParser::Op::Kind::Newline, {}, {}});
        ops.append(
            {AnsiParser::Op::Kind::Text,
             tr("[… %1 of output skipped to keep up …]").arg(QLocale().formattedDataSize(skipped)),
             m_noteFormat});
        ops.append({AnsiParser::Op::Kind::Newline, {}, {}});
    }

    for (qsizetype i = first; i < pending.size(); ++i) {
        const Chunk &chunk = pending.at(i);
        const qsizetype from = i == first ? offset : 0;
        const QByteArrayView bytes(chunk.bytes.constData() + from, chunk.bytes.size() - from);
        if (bytes.isEmpty())
            continue;
        m_bytesRendered += bytes.size();
        const QString text = decoder(chunk.channel).decode(bytes);
        if (chunk.channel == StreamDemuxer::Channel::DaemonError)
            ops.append({AnsiParser::Op::Kind::Text, text, m_daemonFormat});
        else
            parser(chunk.channel).parse(text, ops);
    }
    QElapsedTimer cost;
    cost.start();
    apply(ops);
    // Keep one batch well under a frame on this machine: the budget follows what a batch cost.
    const qint64 ms = cost.elapsed();
    if (ms > 12)
        m_batchLines = qMax(200, m_batchLines / 2);
    else if (ms < 5 && (first > 0 || offset > 0))
        m_batchLines = qMin(5000, m_batchLines + m_batchLines / 4);
}

void LogPage::apply(const QList<AnsiParser::Op> &ops)
{
    if (ops.isEmpty())
        return;
    m_applying = true;
    int newLines = 0; // blocks this batch started, for the links
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    QString buffer;
    QTextCharFormat bufferFormat;
    const auto flushBuffer = [&]() {
        if (!buffer.isEmpty()) {
            cursor.insertText(buffer, bufferFormat);
            buffer.clear();
        }
    };
    for (const AnsiParser::Op &op : ops) {
        switch (op.kind) {
        case AnsiParser::Op::Kind::Text: {
            if (m_overwrite) {
                flushBuffer();
                cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
                cursor.removeSelectedText();
                m_lineLength = 0;
                m_overwrite = false;
            }
            if (!buffer.isEmpty() && bufferFormat != op.format)
                flushBuffer();
            bufferFormat = op.format;
            QStringView rest(op.text);
            while (!rest.isEmpty()) {
                const qsizetype room = MaxLineLength - m_lineLength;
                if (rest.size() <= room) {
                    buffer += rest;
                    m_lineLength += int(rest.size());
                    break;
                }
                buffer += rest.left(room);
                buffer += QLatin1Char('\n');
                ++newLines;
                m_lineLength = 0;
                rest = rest.mid(room);
            }
            break;
        }
        case AnsiParser::Op::Kind::Newline:
            buffer += QLatin1Char('\n');
            ++newLines;
            m_lineLength = 0;
            m_overwrite = false;
            break;
        case AnsiParser::Op::Kind::CarriageReturn: m_overwrite = m_lineLength > 0; break;
        case AnsiParser::Op::Kind::ClearScreen:
            buffer.clear();
            cursor.select(QTextCursor::Document);
            cursor.removeSelectedText();
            m_lineLength = 0;
            m_overwrite = false;
            break;
        }
    }
    flushBuffer();
    cursor.endEditBlock();
    rendered(m_text->document()->blockCount() - 1 - newLines);
    if (m_follow)
        m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    m_applying = false;
}

void LogPage::addNote(const QString &text)
{
    appendNote(text, m_noteFormat);
}

void LogPage::appendNote(const QString &text, const QTextCharFormat &format)
{
    QList<AnsiParser::Op> ops;
    if (m_lineLength > 0)
        ops.append({AnsiParser::Op::Kind::Newline, {}, {}});
    ops.append({AnsiParser::Op::Kind::Text, text, format});
    ops.append({AnsiParser::Op::Kind::Newline, {}, {}});
    m_overwrite = false;
    apply(ops);
}

void LogPage::onFinished()
{
    m_flushTimer.stop();
    flush();
    ending();
    QTextCharFormat end = m_noteFormat;
    end.setFontItalic(false);
    end.setFontWeight(QFont::Bold);
    switch (state()) {
    case Launcher::State::Exited: {
        const qint64 code = exitCode().value_or(-1);
        end.setForeground(code == 0 ? StatusColors::text(StatusColors::Tone::Ok, palette())
                                    : stderrColor());
        if (error().isError())
            appendNote(error().message(), m_daemonFormat);
        appendNote(endText(), end);
        break;
    }
    case Launcher::State::Failed: appendNote(failureText(), m_daemonFormat); break;
    case Launcher::State::Cancelled: appendNote(endText(), end); break;
    default: break;
    }
    updateStatus();
    emit finished();
}

QString LogPage::failureText() const
{
    return tr("Launch failed: %1").arg(error().message());
}

void LogPage::setFollow(bool follow)
{
    if (follow)
        m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    if (m_follow == follow)
        return;
    m_follow = follow;
    emit followChanged(follow);
}

void LogPage::onScrolled()
{
    if (m_applying)
        return;
    const QScrollBar *bar = m_text->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    if (atBottom != m_follow) {
        m_follow = atBottom;
        emit followChanged(m_follow);
    }
}

void LogPage::setMaxBlocks(int blocks)
{
    m_text->setMaximumBlockCount(blocks);
}

void LogPage::clear()
{
    m_text->clear();
    m_lineLength = 0;
    m_overwrite = false;
}

bool LogPage::saveTo(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = file.errorString();
        return false;
    }
    file.write(m_text->toPlainText().toUtf8());
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

bool LogPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_text->viewport()) {
        if (event->type() == QEvent::MouseMove) {
            const auto *mouse = static_cast<QMouseEvent *>(event);
            const QString href = m_text->anchorAt(mouse->position().toPoint());
            m_text->viewport()->setCursor(href.isEmpty() ? Qt::IBeamCursor
                                                         : Qt::PointingHandCursor);
            // The printed URL names the container's port: say where the link really goes.
            m_text->viewport()->setToolTip(href.isEmpty() ? QString() : tr("Opens %1").arg(href));
        } else if (event->type() == QEvent::MouseButtonRelease) {
            const auto *mouse = static_cast<QMouseEvent *>(event);
            const QString href = m_text->anchorAt(mouse->position().toPoint());
            if (mouse->button() == Qt::LeftButton && !href.isEmpty()
                && !m_text->textCursor().hasSelection())
                emit linkActivated(QUrl(href));
        }
    }
    return QWidget::eventFilter(watched, event);
}
