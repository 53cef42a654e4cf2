#include "TerminalView.h"

#include "TerminalScreen.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGlyphRun>
#include <QKeyEvent>
#include <QPainter>

#include <algorithm>
#include <utility>

namespace {

constexpr int kRepaintMs = 16; // at most one paint a frame, however fast the output comes
constexpr int kBlinkMs = 530;

int modifiersOf(Qt::KeyboardModifiers modifiers)
{
    int out = TerminalScreen::NoModifier;
    if (modifiers & Qt::ShiftModifier)
        out |= TerminalScreen::Shift;
    if (modifiers & Qt::AltModifier)
        out |= TerminalScreen::Alt;
    if (modifiers & Qt::ControlModifier)
        out |= TerminalScreen::Control;
    return out;
}

int specialKey(int key)
{
    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter: return TerminalScreen::Enter;
    case Qt::Key_Tab:
    case Qt::Key_Backtab: return TerminalScreen::Tab;
    case Qt::Key_Backspace: return TerminalScreen::Backspace;
    case Qt::Key_Escape: return TerminalScreen::Escape;
    case Qt::Key_Up: return TerminalScreen::Up;
    case Qt::Key_Down: return TerminalScreen::Down;
    case Qt::Key_Left: return TerminalScreen::Left;
    case Qt::Key_Right: return TerminalScreen::Right;
    case Qt::Key_Insert: return TerminalScreen::Insert;
    case Qt::Key_Delete: return TerminalScreen::Delete;
    case Qt::Key_Home: return TerminalScreen::Home;
    case Qt::Key_End: return TerminalScreen::End;
    case Qt::Key_PageUp: return TerminalScreen::PageUp;
    case Qt::Key_PageDown: return TerminalScreen::PageDown;
    default: return 0;
    }
}

} // namespace

TerminalView::TerminalView(QWidget *parent)
    : QWidget(parent), m_screen(new TerminalScreen(24, 80, this))
{
    setObjectName(QStringLiteral("terminalView"));
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAttribute(Qt::WA_InputMethodEnabled, false);
    setCursor(Qt::IBeamCursor);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    const QFontMetrics metrics(font());
    m_cell = QSize(std::max(1, metrics.horizontalAdvance(QLatin1Char('M'))),
                   std::max(1, metrics.height()));
    applyPalette();

    m_repaint.setSingleShot(true);
    m_repaint.setInterval(kRepaintMs);
    connect(&m_repaint, &QTimer::timeout, this, [this]() {
        if (std::exchange(m_repaintPending, false)) {
            update();
            m_repaint.start();
        }
    });
    m_blink.setInterval(kBlinkMs);
    connect(&m_blink, &QTimer::timeout, this, [this]() {
        m_blinkOn = !m_blinkOn;
        scheduleRepaint();
    });
    connect(m_screen, &TerminalScreen::damaged, this, &TerminalView::scheduleRepaint);
}

QSize TerminalView::sizeHint() const
{
    return QSize(m_cell.width() * 80, m_cell.height() * 24);
}

void TerminalView::applyPalette()
{
    m_screen->setDefaultColors(palette().color(QPalette::Text), palette().color(QPalette::Base));
}

void TerminalView::scheduleRepaint()
{
    // The first change paints at once (an echo is on screen without waiting for a frame); the
    // changes that follow within the frame share one paint at its end.
    if (m_repaint.isActive()) {
        m_repaintPending = true;
        return;
    }
    update();
    m_repaint.start();
}

void TerminalView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const int rows = std::max(1, height() / m_cell.height());
    const int columns = std::max(1, width() / m_cell.width());
    if (rows == m_screen->rows() && columns == m_screen->columns())
        return;
    m_screen->resize(rows, columns);
    emit sizeChanged(rows, columns);
}

void TerminalView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QColor defaultFg = palette().color(QPalette::Text);
    const QColor defaultBg = palette().color(QPalette::Base);
    painter.fillRect(rect(), defaultBg);
    const QFont base = font();
    const int cw = m_cell.width();
    const int ch = m_cell.height();
    const int ascent = QFontMetrics(base).ascent();
    const QPoint cursor = m_screen->cursor();
    const bool showCursor = m_screen->isCursorVisible() && m_scroll == 0
                            && (m_blinkOn || !m_screen->isCursorBlinking() || !hasFocus());

    painter.setFont(base);
    int fontStyle = 0;
    // Plain characters of one colour and style are drawn in one call, each at its cell's position
    // (a monospace font's advance is rarely a whole pixel: a string drawn at once would drift
    // from the cells). One text draw a cell made a full screen take 10-30 ms in a flood.
    struct Batch
    {
        QString chars;
        QList<QPointF> positions;
        QColor colour;
        int style = 0;
    } batch;
    const auto flush = [&]() {
        if (batch.chars.isEmpty())
            return;
        const QRawFont &raw = rawFont(batch.style);
        QList<quint32> glyphs(batch.chars.size());
        int count = int(glyphs.size());
        painter.setPen(batch.colour);
        if (raw.isValid()
            && raw.glyphIndexesForChars(batch.chars.constData(), int(batch.chars.size()),
                                        glyphs.data(), &count)
            && count == batch.chars.size() && !glyphs.contains(0)) {
            QGlyphRun run;
            run.setRawFont(raw);
            run.setGlyphIndexes(glyphs);
            run.setPositions(batch.positions);
            painter.drawGlyphRun(QPointF(0, 0), run);
        } else {
            // A character the font lacks: the text layout finds a font that has it.
            QFont f = base;
            f.setBold((batch.style & 1) != 0);
            f.setItalic((batch.style & 2) != 0);
            painter.setFont(f);
            fontStyle = batch.style;
            for (qsizetype i = 0; i < batch.chars.size(); ++i)
                painter.drawText(batch.positions.at(i), QString(batch.chars.at(i)));
        }
        batch.chars.clear();
        batch.positions.clear();
    };
    for (int y = 0; y < m_screen->rows(); ++y) {
        const int row = y - m_scroll;
        for (int x = 0; x < m_screen->columns(); ++x) {
            const TerminalScreen::Cell cell = m_screen->cell(row, x);
            QColor fg = cell.foreground.isValid() ? cell.foreground : defaultFg;
            QColor bg = cell.background.isValid() ? cell.background : defaultBg;
            if (cell.reverse != isSelected(row, x))
                std::swap(fg, bg);
            const bool atCursor = showCursor && row == cursor.y() && x == cursor.x();
            if (atCursor && m_screen->cursorShape() == TerminalScreen::CursorShape::Block
                && hasFocus())
                std::swap(fg, bg);
            const QRect box(x * cw, y * ch, cw * std::max(1, cell.width), ch);
            if (bg != defaultBg)
                painter.fillRect(box, bg);
            const int style = (cell.bold ? 1 : 0) | (cell.italic ? 2 : 0) | (cell.underline ? 4 : 0)
                              | (cell.strike ? 8 : 0);
            if (cell.text.size() == 1 && cell.width == 1 && style < 4
                && !cell.text.at(0).isSurrogate() && cell.text.at(0) != QLatin1Char(' ')) {
                // Plain characters join the batch of their colour and style.
                if (fg != batch.colour || style != batch.style)
                    flush();
                batch.colour = fg;
                batch.style = style;
                batch.chars += cell.text.at(0);
                batch.positions << QPointF(box.left(), box.top() + ascent);
            } else if (!cell.text.isEmpty() && cell.text != QLatin1String(" ")) {
                flush();
                // A font is made only where the attributes change, not for every cell.
                if (style != fontStyle) {
                    QFont f = base;
                    f.setBold(cell.bold);
                    f.setItalic(cell.italic);
                    f.setUnderline(cell.underline);
                    f.setStrikeOut(cell.strike);
                    painter.setFont(f);
                    fontStyle = style;
                }
                painter.setPen(fg);
                painter.drawText(box.left(), box.top() + ascent, cell.text);
            }
            if (atCursor) {
                flush();
                painter.setPen(defaultFg);
                switch (m_screen->cursorShape()) {
                case TerminalScreen::CursorShape::Block:
                    if (!hasFocus())
                        painter.drawRect(box.adjusted(0, 0, -1, -1));
                    break;
                case TerminalScreen::CursorShape::Underline:
                    painter.fillRect(box.left(), box.bottom() - 1, cw, 2, defaultFg);
                    break;
                case TerminalScreen::CursorShape::Bar:
                    painter.fillRect(box.left(), box.top(), 2, ch, defaultFg);
                    break;
                }
            }
            if (cell.width > 1)
                ++x;
        }
    }
    flush();
}

const QRawFont &TerminalView::rawFont(int style)
{
    // Made once a font: QRawFont::fromFont() looks the font up.
    std::optional<QRawFont> &raw = m_rawFonts[size_t(style & 3)];
    if (!raw) {
        QFont f = font();
        f.setBold((style & 1) != 0);
        f.setItalic((style & 2) != 0);
        raw = QRawFont::fromFont(f);
    }
    return *raw;
}

void TerminalView::scrollBy(int lines)
{
    const int offset = std::clamp(m_scroll + lines, 0, m_screen->scrollbackSize());
    if (offset == m_scroll)
        return;
    m_scroll = offset;
    update();
}

void TerminalView::keyPressEvent(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    const int key = event->key();
    if (mods == (Qt::ControlModifier | Qt::ShiftModifier)) {
        if (key == Qt::Key_C) {
            copy();
            return;
        }
        if (key == Qt::Key_V) {
            pasteClipboard();
            return;
        }
    }
    if (mods == Qt::ShiftModifier && (key == Qt::Key_PageUp || key == Qt::Key_PageDown)) {
        const int page = std::max(1, m_screen->rows() - 1);
        scrollBy(key == Qt::Key_PageUp ? page : -page);
        return;
    }
    const int modifiers = modifiersOf(mods);
    m_scroll = 0;
    m_blinkOn = true;
    if (const int special = specialKey(key)) {
        m_screen->key(TerminalScreen::Key(special),
                      key == Qt::Key_Backtab ? modifiers | TerminalScreen::Shift : modifiers);
    } else if (key >= Qt::Key_F1 && key <= Qt::Key_F35) {
        m_screen->functionKeyPressed(key - Qt::Key_F1 + 1, modifiers);
    } else if ((mods & Qt::ControlModifier) && key >= Qt::Key_A && key <= Qt::Key_Z) {
        // Ctrl+letter: libvterm makes the control character of the letter.
        m_screen->character(uint(key - Qt::Key_A + 'a'), modifiers & ~TerminalScreen::Shift);
    } else if ((mods & Qt::ControlModifier) && key >= Qt::Key_BracketLeft
               && key <= Qt::Key_Underscore) {
        m_screen->character(uint(key), modifiers & ~TerminalScreen::Shift);
    } else if (!event->text().isEmpty()) {
        // Shift is already in the text; Ctrl with other keys is what the text says.
        const int textModifiers = modifiers & TerminalScreen::Alt;
        const QString text = event->text();
        for (const uint ucs4 : text.toUcs4())
            m_screen->character(ucs4, textModifiers);
    } else {
        QWidget::keyPressEvent(event);
        return;
    }
    update();
}

bool TerminalView::event(QEvent *event)
{
    // Tab and Shift+Tab go to the program, not to the next widget.
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier) || key->key() == Qt::Key_Tab
            || key->key() == Qt::Key_Backtab) {
            event->accept();
            return true;
        }
    }
    return QWidget::event(event);
}

bool TerminalView::focusNextPrevChild(bool)
{
    return false;
}

void TerminalView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 40; // three lines a notch
    if (steps != 0)
        scrollBy(steps);
    event->accept();
}

QPoint TerminalView::cellAt(const QPoint &pixel) const
{
    const int column = std::clamp(pixel.x() / m_cell.width(), 0, m_screen->columns() - 1);
    const int y = std::clamp(pixel.y() / m_cell.height(), 0, m_screen->rows() - 1);
    return QPoint(column, y - m_scroll);
}

bool TerminalView::isSelected(int row, int column) const
{
    if (!m_hasSelection)
        return false;
    QPoint from = m_selectionStart;
    QPoint to = m_selectionEnd;
    if (from.y() > to.y() || (from.y() == to.y() && from.x() > to.x()))
        std::swap(from, to);
    if (row < from.y() || row > to.y())
        return false;
    if (row == from.y() && column < from.x())
        return false;
    if (row == to.y() && column > to.x())
        return false;
    return true;
}

void TerminalView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton) {
        const QString text = QApplication::clipboard()->text(QClipboard::Selection);
        if (!text.isEmpty())
            m_screen->paste(text);
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    m_selecting = true;
    m_hasSelection = false;
    m_selectionStart = m_selectionEnd = cellAt(event->position().toPoint());
    update();
}

void TerminalView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_selecting)
        return;
    m_selectionEnd = cellAt(event->position().toPoint());
    m_hasSelection = m_selectionEnd != m_selectionStart;
    update();
}

void TerminalView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_selecting)
        return;
    m_selecting = false;
    if (m_hasSelection && QApplication::clipboard()->supportsSelection())
        QApplication::clipboard()->setText(selectedText(), QClipboard::Selection);
}

QString TerminalView::selectedText() const
{
    return m_hasSelection ? m_screen->text(m_selectionStart, m_selectionEnd) : QString();
}

void TerminalView::copy()
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void TerminalView::pasteClipboard()
{
    const QString text = QApplication::clipboard()->text();
    if (text.isEmpty())
        return;
    m_scroll = 0;
    m_screen->paste(text);
}

void TerminalView::focusInEvent(QFocusEvent *event)
{
    QWidget::focusInEvent(event);
    m_blinkOn = true;
    m_blink.start();
    update();
}

void TerminalView::focusOutEvent(QFocusEvent *event)
{
    QWidget::focusOutEvent(event);
    m_blink.stop();
    update();
}

void TerminalView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    if (event->type() == QEvent::FontChange)
        m_rawFonts = {};
}
