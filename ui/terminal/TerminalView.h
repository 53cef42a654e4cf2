#pragma once

#include <QPoint>
#include <QRawFont>
#include <QTimer>
#include <QWidget>

#include <array>
#include <optional>

class TerminalScreen;

// Draws a TerminalScreen in the system's monospace font and turns keys, the wheel, the mouse and
// the clipboard into its input. Repaints are batched on a short timer, so a flood of output costs
// at most one paint a frame, and a lone change (an echo) paints at once. Scrollback: the wheel and Shift+PgUp/PgDn; selection with the mouse,
// Ctrl+Shift+C copies, Ctrl+Shift+V pastes.
class TerminalView : public QWidget
{
    Q_OBJECT

public:
    explicit TerminalView(QWidget *parent = nullptr);

    TerminalScreen *screen() const { return m_screen; }
    QSize cellSize() const { return m_cell; }
    int scrollOffset() const { return m_scroll; } // lines up into the scrollback
    QString selectedText() const;
    void copy();
    void pasteClipboard();

    QSize sizeHint() const override;

signals:
    void sizeChanged(int rows, int columns);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool focusNextPrevChild(bool next) override; // Tab belongs to the program
    bool event(QEvent *event) override;

private:
    void scheduleRepaint();
    void scrollBy(int lines);
    void applyPalette();
    QPoint cellAt(const QPoint &pixel) const; // x column, y row as TerminalScreen counts them
    bool isSelected(int row, int column) const;
    const QRawFont &rawFont(int style); // style: 1 bold, 2 italic

    TerminalScreen *m_screen;
    QSize m_cell;
    int m_scroll = 0;
    QTimer m_repaint;
    bool m_repaintPending = false; // changed since the frame's paint
    QTimer m_blink;
    bool m_blinkOn = true;
    bool m_selecting = false;
    bool m_hasSelection = false;
    QPoint m_selectionStart;
    QPoint m_selectionEnd;
    std::array<std::optional<QRawFont>, 4> m_rawFonts; // by style, made when first drawn
};
