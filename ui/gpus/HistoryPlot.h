#pragma once

#include <QPointer>
#include <QWidget>

class GpuHistory;

// One GPU's last 1, 10 or 60 minutes from a GpuHistory: the memory of each container or process
// that held it, stacked and named, and the utilisation as a line over it. Painted with QPainter
// (two small plots do not warrant Qt Charts as a new dependency); every colour comes from the
// palette. The accessible description is a text summary of what is drawn; the context menu saves
// the GPU's history as CSV.
class HistoryPlot : public QWidget
{
    Q_OBJECT

public:
    explicit HistoryPlot(QWidget *parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // history lives as long as owner (a GpuMonitor, or the test); null shows nothing.
    void setHistory(const GpuHistory *history, QObject *owner);
    void setGpu(const QString &uuid);
    QString gpu() const { return m_uuid; }
    void setSpanMinutes(int minutes);
    int spanMinutes() const { return m_spanMinutes; }

    // Call after the history took a sample: repaints and renews the summary.
    void refresh();

    // What a screen reader says, also the tooltip: "GPU 0, last 10 minutes: utilisation ...".
    QString summary() const;
    // The k-th owner's colour on palette: the palette's highlight hue turned by a golden angle,
    // at a lightness that reads on the palette's base.
    static QColor seriesColour(int k, const QPalette &palette);
    // Where the plot's axes are, for tests that look at pixels.
    QRect plotArea() const;

    // Writes the GPU's history as CSV to path; the error says why not, empty when it worked.
    QString saveCsv(const QString &path) const;

signals:
    void csvSaved(const QString &path, const QString &error);

protected:
    void paintEvent(QPaintEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    const GpuHistory *history() const;

    const GpuHistory *m_history = nullptr;
    QPointer<QObject> m_owner;
    QString m_uuid;
    int m_spanMinutes = 10;
};
