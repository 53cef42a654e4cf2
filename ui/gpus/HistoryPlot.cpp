#include "gpus/HistoryPlot.h"

#include "gpu/GpuHistory.h"

#include <QContextMenuEvent>
#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QPainter>
#include <QSaveFile>

#include <algorithm>
#include <climits>

namespace {

constexpr double kMiBPerGiB = 1024.0;

QString gib(double mib)
{
    return QString::number(mib / kMiBPerGiB, 'f', 1);
}

// The samples of s from start on: the index of the first.
qsizetype firstFrom(const SampleRing<GpuSample> &ring, qint64 start)
{
    qsizetype i = ring.size();
    while (i > 0 && ring.at(i - 1).msecs >= start)
        --i;
    return i;
}

// Each owner's MiB at each GPU sample from `from` on (0 where it held nothing then).
QList<QList<double>> ownerMiB(const GpuHistory::GpuSeries &s, qsizetype from)
{
    QList<QList<double>> values;
    for (const GpuHistory::OwnerSeries &o : s.owners) {
        QList<double> v(s.samples.size() - from, 0.0);
        qsizetype k = 0;
        for (qsizetype i = from; i < s.samples.size(); ++i) {
            const qint64 t = s.samples.at(i).msecs;
            while (k < o.samples.size() && o.samples.at(k).msecs < t)
                ++k;
            if (k < o.samples.size() && o.samples.at(k).msecs == t)
                v[i - from] = double(o.samples.at(k).memoryBytes) / (1024.0 * 1024.0);
        }
        values.append(v);
    }
    return values;
}

} // namespace

HistoryPlot::HistoryPlot(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("gpuHistoryPlot"));
    setAccessibleName(tr("GPU history"));
    setFocusPolicy(Qt::StrongFocus); // a screen reader reaches it with Tab
    setContextMenuPolicy(Qt::DefaultContextMenu);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void HistoryPlot::setHistory(const GpuHistory *history, QObject *owner)
{
    m_history = history;
    m_owner = owner;
    refresh();
}

void HistoryPlot::setGpu(const QString &uuid)
{
    m_uuid = uuid;
    refresh();
}

void HistoryPlot::setSpanMinutes(int minutes)
{
    m_spanMinutes = qBound(1, minutes, 60);
    refresh();
}

const GpuHistory *HistoryPlot::history() const
{
    return m_owner ? m_history : nullptr;
}

void HistoryPlot::refresh()
{
    const QString text = summary();
    setAccessibleDescription(text);
    setToolTip(text);
    update();
}

QSize HistoryPlot::sizeHint() const
{
    return {420, fontMetrics().height() * 7};
}

QSize HistoryPlot::minimumSizeHint() const
{
    return {160, fontMetrics().height() * 4};
}

QRect HistoryPlot::plotArea() const
{
    const QFontMetrics fm = fontMetrics();
    return rect().adjusted(fm.horizontalAdvance(QStringLiteral("100 %")) + 8, fm.height() + 6, -6,
                           -(fm.height() + 4));
}

QColor HistoryPlot::seriesColour(int k, const QPalette &palette)
{
    const QColor highlight = palette.color(QPalette::Highlight);
    const int hue = highlight.hslHue() < 0 ? 210 : highlight.hslHue();
    const bool darkBase = palette.color(QPalette::Base).lightness() < 128;
    return QColor::fromHsl((hue + 137 * k) % 360, qMax(110, highlight.hslSaturation()),
                           darkBase ? 150 : 120);
}

QString HistoryPlot::summary() const
{
    const GpuHistory *h = history();
    const GpuHistory::GpuSeries *s = h ? h->gpu(m_uuid) : nullptr;
    if (!s || s->samples.isEmpty())
        return tr("No GPU history yet.");
    const qint64 end = s->samples.last().msecs;
    const qsizetype from = firstFrom(s->samples, end - qint64(m_spanMinutes) * 60000);
    double utilSum = 0;
    int utilCount = 0;
    int utilPeak = -1;
    int memPeak = -1;
    for (qsizetype i = from; i < s->samples.size(); ++i) {
        const GpuSample &x = s->samples.at(i);
        if (x.gpuUtil >= 0) {
            utilSum += x.gpuUtil;
            ++utilCount;
            utilPeak = qMax(utilPeak, int(x.gpuUtil));
        }
        memPeak = qMax(memPeak, x.memoryUsedMiB);
    }
    const QString gpuName = QStringLiteral("%1 (%2)").arg(s->index).arg(s->name);
    QString text = m_spanMinutes == 1
                       ? tr("GPU %1, last minute: ").arg(gpuName)
                       : tr("GPU %1, last %2 minutes: ").arg(gpuName).arg(m_spanMinutes);
    if (utilCount > 0)
        text += tr("utilisation averaged %1 %, peaked at %2 %")
                    .arg(qRound(utilSum / utilCount))
                    .arg(utilPeak);
    else
        text += tr("utilisation unknown");
    const GpuSample &now = s->samples.last();
    if (now.memoryUsedMiB >= 0) {
        text += tr("; memory %1 GiB now").arg(gib(now.memoryUsedMiB));
        if (s->memoryTotal > 0)
            text += tr(" of %1 GiB").arg(gib(double(s->memoryTotal) / (1024.0 * 1024.0)));
        text += tr(", peaked at %1 GiB").arg(gib(memPeak));
    }
    const QList<QList<double>> owners = ownerMiB(*s, from);
    QStringList held;
    for (qsizetype k = 0; k < owners.size(); ++k) {
        const QList<double> &v = owners.at(k);
        const double peak = v.isEmpty() ? 0 : *std::max_element(v.begin(), v.end());
        if (peak > 0)
            held << tr("%1 (up to %2 GiB)").arg(s->owners.at(k).label, gib(peak));
    }
    text += held.isEmpty() ? tr("; held by no process.")
                           : tr("; held by %1.").arg(held.join(QStringLiteral(", ")));
    return text;
}

void HistoryPlot::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QFontMetrics fm = fontMetrics();
    const QRect area = plotArea();
    const GpuHistory *h = history();
    const GpuHistory::GpuSeries *s = h ? h->gpu(m_uuid) : nullptr;
    p.setPen(pal.color(QPalette::Text));
    if (!s || s->samples.isEmpty() || area.width() < 10 || area.height() < 10) {
        p.drawText(rect(), Qt::AlignCenter, tr("No GPU history yet."));
        return;
    }

    // Axes: percent of memory and of utilisation share one scale.
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(60);
    p.setPen(grid);
    for (int pct : {0, 50, 100}) {
        const int y = area.bottom() - area.height() * pct / 100;
        p.drawLine(area.left(), y, area.right(), y);
    }
    p.setPen(pal.color(QPalette::Text));
    for (int pct : {0, 50, 100}) {
        const int y = area.bottom() - area.height() * pct / 100;
        p.drawText(QRect(0, y - fm.height() / 2, area.left() - 4, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("%1 %").arg(pct));
    }
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), fm.height()),
               Qt::AlignLeft | Qt::AlignTop, tr("−%1 min").arg(m_spanMinutes));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), fm.height()),
               Qt::AlignRight | Qt::AlignTop, tr("now"));

    const qint64 span = qint64(m_spanMinutes) * 60000;
    const qint64 end = s->samples.last().msecs;
    const qint64 start = end - span;
    const qsizetype from = firstFrom(s->samples, start);
    const auto x = [&](qint64 t) {
        return area.left() + double(t - start) / double(span) * area.width();
    };
    double scaleMiB = double(s->memoryTotal) / (1024.0 * 1024.0);
    if (scaleMiB <= 0) {
        scaleMiB = 1;
        for (qsizetype i = from; i < s->samples.size(); ++i)
            scaleMiB = qMax(scaleMiB, double(s->samples.at(i).memoryUsedMiB));
    }
    const auto y = [&](double fraction) {
        return area.bottom() - qBound(0.0, fraction, 1.0) * area.height();
    };

    // Each owner's memory stacked on those before it, as a filled band.
    const QList<QList<double>> owners = ownerMiB(*s, from);
    const qsizetype n = s->samples.size() - from;
    // One point a pixel column (an hour is 3600 samples on a few hundred pixels): the column's
    // last sample for the bands and memory, its highest utilisation so a short burst still shows.
    QList<qsizetype> picked;
    QList<int> utilPeak;
    int lastColumn = INT_MIN;
    for (qsizetype i = 0; i < n; ++i) {
        const GpuSample &v = s->samples.at(from + i);
        const int column = int(x(v.msecs));
        if (column != lastColumn) {
            picked << i;
            utilPeak << v.gpuUtil;
            lastColumn = column;
        } else {
            picked.last() = i;
            utilPeak.last() = qMax(utilPeak.last(), int(v.gpuUtil));
        }
    }
    // The bands as one rectangle a column each: exact pixels, and far cheaper than filling a
    // polygon of thousands of points.
    QList<double> below(picked.size(), 0.0);
    for (qsizetype k = 0; k < owners.size(); ++k) {
        const QColor colour = seriesColour(int(k), pal);
        for (qsizetype c = 0; c < picked.size(); ++c) {
            const double mib = owners.at(k).at(picked.at(c));
            if (mib <= 0)
                continue;
            const int left = int(x(s->samples.at(from + picked.at(c)).msecs));
            const int right = c + 1 < picked.size()
                                  ? int(x(s->samples.at(from + picked.at(c + 1)).msecs))
                                  : left + 1;
            const int top = int(y((below.at(c) + mib) / scaleMiB));
            const int bottom = int(y(below.at(c) / scaleMiB));
            p.fillRect(QRect(QPoint(left, top), QPoint(qMax(left, right - 1), bottom)), colour);
            below[c] += mib;
        }
    }

    // Memory in use (also what no listed process holds) and utilisation as lines.
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(Qt::NoBrush);
    QPolygonF memory;
    QPolygonF util;
    for (qsizetype c = 0; c < picked.size(); ++c) {
        const GpuSample &v = s->samples.at(from + picked.at(c));
        if (v.memoryUsedMiB >= 0)
            memory << QPointF(x(v.msecs), y(v.memoryUsedMiB / scaleMiB));
        if (utilPeak.at(c) >= 0)
            util << QPointF(x(v.msecs), y(utilPeak.at(c) / 100.0));
    }
    QColor memPen = pal.color(QPalette::Text);
    memPen.setAlpha(140);
    p.setPen(QPen(memPen, 1));
    QList<QLineF> memorySegments;
    for (qsizetype c = 1; c < memory.size(); ++c)
        memorySegments << QLineF(memory.at(c - 1), memory.at(c));
    p.drawLines(memorySegments);
    // Segment by segment: a jagged hour stroked as one polyline makes a self-crossing outline
    // that takes the rasteriser a hundred times longer.
    p.setPen(QPen(pal.color(QPalette::Text), 2));
    QList<QLineF> segments;
    for (qsizetype c = 1; c < util.size(); ++c)
        segments << QLineF(util.at(c - 1), util.at(c));
    p.drawLines(segments);

    // The legend: what each band and line is, with the figures now.
    int lx = area.left();
    const int ly = 2;
    const auto entry = [&](const QColor &swatch, const QString &label, bool line) {
        const int w = fm.height() - 4;
        if (line)
            p.fillRect(lx, ly + fm.height() / 2 - 1, w, 2, swatch);
        else
            p.fillRect(lx, ly + 2, w, w, swatch);
        lx += w + 4;
        p.setPen(pal.color(QPalette::Text));
        p.drawText(lx, ly + fm.ascent(), label);
        lx += fm.horizontalAdvance(label) + 10;
    };
    const GpuSample &last = s->samples.last();
    entry(pal.color(QPalette::Text),
          last.gpuUtil >= 0 ? tr("utilisation %1 %").arg(last.gpuUtil) : tr("utilisation"), true);
    for (qsizetype k = 0; k < owners.size(); ++k) {
        const double nowMiB = owners.at(k).isEmpty() ? 0 : owners.at(k).last();
        entry(seriesColour(int(k), pal), tr("%1 %2 GiB").arg(s->owners.at(k).label, gib(nowMiB)),
              false);
    }
}

QString HistoryPlot::saveCsv(const QString &path) const
{
    const GpuHistory *h = history();
    const QByteArray csv = h ? h->csv(m_uuid) : QByteArray();
    if (csv.isEmpty())
        return tr("There is no history of this GPU to save yet.");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(csv) != csv.size() || !file.commit()) {
        // One sentence: the system's reason as its clause ("no such file or directory").
        QString why = file.errorString().trimmed();
        while (why.endsWith(QLatin1Char('.')))
            why.chop(1);
        if (why.isEmpty() || why == QLatin1String("Unknown error"))
            why = tr("the file could not be written");
        else if (why.size() > 1 && why.at(1).isLower())
            why[0] = why.at(0).toLower();
        return tr("Could not save the GPU history to %1: %2.")
            .arg(QDir::toNativeSeparators(path), why);
    }
    return {};
}

void HistoryPlot::contextMenuEvent(QContextMenuEvent *event)
{
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QAction *save = menu->addAction(tr("Save as CSV…"));
    save->setObjectName(QStringLiteral("saveCsv"));
    save->setEnabled(history() && history()->gpu(m_uuid));
    connect(save, &QAction::triggered, this, [this]() {
        // Not modal-blocking: the dialog answers through fileSelected.
        auto *dialog = new QFileDialog(this, tr("Save GPU history"), QString(),
                                       tr("CSV files (*.csv)"));
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->setDefaultSuffix(QStringLiteral("csv"));
        dialog->selectFile(QStringLiteral("gpu-history.csv"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QFileDialog::fileSelected, this,
                [this](const QString &path) { emit csvSaved(path, saveCsv(path)); });
        dialog->open();
    });
    menu->addSeparator();
    for (int minutes : {1, 10, 60}) {
        QAction *a = menu->addAction(minutes == 1 ? tr("Last minute")
                                                  : tr("Last %1 minutes").arg(minutes));
        a->setCheckable(true);
        a->setChecked(minutes == m_spanMinutes);
        connect(a, &QAction::triggered, this, [this, minutes]() { setSpanMinutes(minutes); });
    }
    menu->popup(event->globalPos());
}
