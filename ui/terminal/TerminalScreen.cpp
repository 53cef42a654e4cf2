#include "TerminalScreen.h"

#include <QElapsedTimer>
#include <QStringList>
#include <QTimer>

#include <vterm.h>

#include <algorithm>
#include <cstring>
#include <utility>

struct TerminalScreen::Callbacks
{
    static TerminalScreen *self(void *user) { return static_cast<TerminalScreen *>(user); }

    static int damage(VTermRect, void *user)
    {
        emit self(user)->damaged();
        return 1;
    }
    static int moveCursor(VTermPos, VTermPos, int visible, void *user)
    {
        self(user)->m_cursorVisible = visible != 0;
        emit self(user)->damaged();
        return 1;
    }
    static int setTermProp(VTermProp prop, VTermValue *value, void *user)
    {
        TerminalScreen *s = self(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE: s->m_cursorVisible = value->boolean != 0; break;
        case VTERM_PROP_CURSORBLINK: s->m_cursorBlink = value->boolean != 0; break;
        case VTERM_PROP_ALTSCREEN: s->m_altScreen = value->boolean != 0; break;
        case VTERM_PROP_TITLE:
            s->m_title = QString::fromUtf8(value->string);
            emit s->titleChanged(s->m_title);
            break;
        case VTERM_PROP_CURSORSHAPE:
            s->m_cursorShape = value->number == VTERM_PROP_CURSORSHAPE_UNDERLINE
                                   ? CursorShape::Underline
                               : value->number == VTERM_PROP_CURSORSHAPE_BAR_LEFT
                                   ? CursorShape::Bar
                                   : CursorShape::Block;
            break;
        case VTERM_PROP_MOUSE: s->m_mouseMode = value->number; break;
        default: return 0;
        }
        emit s->damaged();
        return 1;
    }
    static int bell(void *user)
    {
        emit self(user)->bell();
        return 1;
    }
    static int pushLine(int columns, const VTermScreenCell *cells, void *user)
    {
        TerminalScreen *s = self(user);
        ++s->m_pushes;
        s->pushCells(columns, cells);
        return 1;
    }
    // The screen grew taller: its top rows come back from the scrollback.
    static int popLine(int columns, VTermScreenCell *cells, void *user)
    {
        TerminalScreen *s = self(user);
        if (s->m_scrollback.empty())
            return 0;
        const StoredLine line = std::move(s->m_scrollback.back());
        s->m_scrollback.pop_back();
        for (int i = 0; i < columns; ++i) {
            VTermScreenCell &cell = cells[i];
            cell = VTermScreenCell();
            vterm_color_rgb(&cell.fg, 0, 0, 0);
            cell.fg.type = VTERM_COLOR_DEFAULT_FG;
            cell.bg.type = VTERM_COLOR_DEFAULT_BG;
            cell.width = 1;
            if (size_t(i) < line.cells.size()) {
                const Cell from = unpack(line, i);
                const QList<uint> chars = from.text.toUcs4();
                // One slot left zero: libvterm copies a cell's chars up to the first zero.
                for (qsizetype c = 0; c < chars.size() && c < VTERM_MAX_CHARS_PER_CELL - 1; ++c)
                    cell.chars[c] = chars.at(c);
                cell.width = char(from.width);
                cell.attrs.bold = from.bold;
                cell.attrs.italic = from.italic;
                cell.attrs.underline = from.underline;
                cell.attrs.reverse = from.reverse;
                cell.attrs.strike = from.strike;
                if (from.foreground.isValid()) {
                    vterm_color_rgb(&cell.fg, uint8_t(from.foreground.red()),
                                    uint8_t(from.foreground.green()),
                                    uint8_t(from.foreground.blue()));
                }
                if (from.background.isValid()) {
                    vterm_color_rgb(&cell.bg, uint8_t(from.background.red()),
                                    uint8_t(from.background.green()),
                                    uint8_t(from.background.blue()));
                }
            }
        }
        return 1;
    }
    static void output(const char *bytes, size_t size, void *user)
    {
        self(user)->m_pendingOutput.append(bytes, qsizetype(size));
    }
    static const VTermScreenCallbacks *table()
    {
        static const VTermScreenCallbacks callbacks = {
            damage, nullptr, moveCursor, setTermProp, bell, nullptr, pushLine, popLine,
        };
        return &callbacks;
    }
};

TerminalScreen::TerminalScreen(int rows, int columns, QObject *parent)
    : QObject(parent),
      m_vt(vterm_new(std::max(rows, 1), std::max(columns, 1))),
      m_screen(vterm_obtain_screen(m_vt)),
      m_rows(std::max(rows, 1)),
      m_columns(std::max(columns, 1))
{
    vterm_set_utf8(m_vt, 1);
    vterm_output_set_callback(m_vt, Callbacks::output, this);
    vterm_screen_set_callbacks(m_screen, Callbacks::table(), this);
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
    m_gather.setSingleShot(true);
    m_gather.setTimerType(Qt::PreciseTimer);
    m_gather.setInterval(kGatherMs);
    connect(&m_gather, &QTimer::timeout, this, &TerminalScreen::drain);
}

TerminalScreen::~TerminalScreen()
{
    vterm_free(m_vt);
}

void TerminalScreen::feed(const QByteArray &bytes)
{
    m_input.append(bytes);
    if (m_draining)
        return;
    if (m_gather.isActive()) {
        if (pendingBytes() < kGatherMax)
            return;
        m_gather.stop();
    } else if (bytes.size() >= kGatherBytes) {
        // A large read is most likely part of a flood: the reads of the next few milliseconds
        // are gathered and parsed with it, in longer runs of plain lines (skipPlainLines()).
        m_gather.start();
        return;
    }
    drain();
}

void TerminalScreen::drain()
{
    // Parsing a turn of the event loop is bounded by time, not bytes: a flood arriving in one
    // large read (TLS hands over whole records) never holds the window for longer than that.
    m_draining = false;
    // A small feed is parsed at once, whatever the time: what the program wrote is on the screen
    // when feed() returns.
    QElapsedTimer clock;
    clock.start();
    const qsizetype start = m_parsed;
    while (m_parsed < m_input.size()
           && (m_parsed - start < kPiece || clock.nsecsElapsed() < kTurnNs))
        m_parsed += parseStep(m_input.constData() + m_parsed, m_input.size() - m_parsed);
    // Parsed bytes go once all are (or once they are most of the buffer): a flood that piles up
    // is not moved down a piece at a time.
    if (m_parsed == m_input.size()) {
        m_input.clear();
        m_parsed = 0;
    } else if (m_parsed > m_input.size() / 2) {
        m_input.remove(0, m_parsed);
        m_parsed = 0;
    }
    vterm_screen_flush_damage(m_screen);
    flushOutput(); // answers to the program's queries (cursor position, device attributes)
    if (!m_input.isEmpty()) {
        m_draining = true;
        QTimer::singleShot(0, this, &TerminalScreen::drain);
    }
}

void TerminalScreen::write(const char *bytes, qsizetype size)
{
    vterm_input_write(m_vt, bytes, size_t(size));
}

qsizetype TerminalScreen::parseStep(const char *bytes, qsizetype size)
{
    const qsizetype line = plainLine(bytes, size, printable());
    if (line == 0) {
        // Anything else goes to libvterm up to the next line feed, a bounded piece at a time.
        const qsizetype limit = std::min(size, kPiece);
        const void *feed = std::memchr(bytes, '\n', size_t(limit));
        const qsizetype piece = feed ? static_cast<const char *>(feed) - bytes + 1 : limit;
        m_plainKnown = false;
        write(bytes, piece);
        return piece;
    }
    if (m_shortcut && m_plainKnown) {
        if (const qsizetype skipped = skipPlainLines(bytes, size))
            return skipped;
    }
    learnFromLine(bytes, line);
    return line;
}

const TerminalScreen::ByteSet &TerminalScreen::printable()
{
    static const ByteSet bytes = [] {
        ByteSet set{};
        for (int byte = 0x20; byte < 0x7f; ++byte)
            set[size_t(byte)] = true;
        return set;
    }();
    return bytes;
}

qsizetype TerminalScreen::plainLine(const char *bytes, qsizetype size, const ByteSet &allowed) const
{
    // Allowed bytes, fewer than a row holds (so it never wraps), then CR LF: its bytes and the
    // CR LF.
    const qsizetype limit = std::min(size, qsizetype(m_columns) + 1);
    qsizetype length = 0;
    while (length < limit && allowed[static_cast<unsigned char>(bytes[length])])
        ++length;
    if (length >= m_columns || length + 2 > size || bytes[length] != '\r'
        || bytes[length + 1] != '\n')
        return 0;
    return length + 2;
}

namespace {

VTermScreenCell readCell(VTermScreen *screen, int row, int column)
{
    VTermScreenCell cell;
    std::memset(&cell, 0, sizeof cell);
    vterm_screen_get_cell(screen, VTermPos{row, column}, &cell);
    return cell;
}

bool sameColor(const VTermColor &a, const VTermColor &b)
{
    if (a.type != b.type)
        return false;
    if (VTERM_COLOR_IS_INDEXED(&a))
        return a.indexed.idx == b.indexed.idx;
    return a.rgb.red == b.rgb.red && a.rgb.green == b.rgb.green && a.rgb.blue == b.rgb.blue;
}

bool sameCell(const VTermScreenCell &a, const VTermScreenCell &b)
{
    const VTermScreenCellAttrs &x = a.attrs;
    const VTermScreenCellAttrs &y = b.attrs;
    return std::equal(std::begin(a.chars), std::end(a.chars), std::begin(b.chars))
           && a.width == b.width && x.bold == y.bold && x.underline == y.underline
           && x.italic == y.italic && x.blink == y.blink && x.reverse == y.reverse
           && x.strike == y.strike && x.font == y.font && x.dwl == y.dwl && x.dhl == y.dhl
           && sameColor(a.fg, b.fg) && sameColor(a.bg, b.bg);
}

} // namespace

void TerminalScreen::learnFromLine(const char *bytes, qsizetype size)
{
    // The line goes to libvterm. What it drew tells how the next plain lines will be drawn, as
    // long as nothing but plain lines comes: the row must hold the bytes themselves in one pen,
    // then the same blanks as the new bottom row, and the line must have scrolled one row off.
    const qsizetype length = size - 2;
    const VTermPos bottom{m_rows - 1, 0};
    const auto atBottom = [&]() {
        const QPoint at = cursor();
        return !m_altScreen && at.y() == bottom.row && at.x() == 0;
    };
    const bool wasAtBottom = atBottom();
    const bool wasKnown = m_plainKnown; // what was seen before holds only if nothing else came
    const quint64 pushes = m_pushes;
    write(bytes, size);
    m_plainKnown = false;
    if (!wasAtBottom || length == 0 || m_rows < 2 || m_pushes != pushes + 1 || !atBottom())
        return;
    std::vector<VTermScreenCell> blank(static_cast<size_t>(m_columns));
    for (int column = 0; column < m_columns; ++column)
        blank[size_t(column)] = readCell(m_screen, bottom.row, column);
    const VTermScreenCell first = readCell(m_screen, bottom.row - 1, 0);
    // A double-width line holds half as many characters: its lines would wrap sooner.
    if (first.attrs.dwl || first.attrs.dhl || blank[0].attrs.dwl || blank[0].attrs.dhl)
        return;
    for (int column = 0; column < m_columns; ++column) {
        const VTermScreenCell cell = readCell(m_screen, bottom.row - 1, column);
        if (column >= length) {
            if (!sameCell(cell, blank[size_t(column)]))
                return;
            continue;
        }
        VTermScreenCell expected = first;
        expected.chars[0] = uint32_t(static_cast<unsigned char>(bytes[column]));
        if (expected.chars[1] != 0 || expected.width != 1 || !sameCell(cell, expected))
            return;
    }
    VTermScreenCell pen = first;
    pen.chars[0] = 0;
    const StoredCell stored = store(&pen);
    std::vector<StoredCell> blanks(static_cast<size_t>(m_columns));
    int keep = 0;
    for (int column = 0; column < m_columns; ++column) {
        const VTermScreenCell &cell = blank[size_t(column)];
        blanks[size_t(column)] = store(&cell);
        // As pushCells() drops trailing blanks.
        if (cell.chars[0] != 0 || !VTERM_COLOR_IS_DEFAULT_BG(&cell.bg) || cell.attrs.reverse)
            keep = column + 1;
    }
    const auto same = [](const StoredCell &a, const StoredCell &b) {
        return a.code == b.code && a.foreground == b.foreground && a.background == b.background;
    };
    if (!wasKnown || !same(stored, m_plainPen)
        || !std::equal(blanks.begin(), blanks.end(), m_plainBlank.begin(), m_plainBlank.end(),
                       same)) {
        m_plainBytes.fill(false);
        m_plainPen = stored;
        m_plainBlank = std::move(blanks);
        m_plainKeep = keep;
    }
    for (qsizetype i = 0; i < length; ++i)
        m_plainBytes[static_cast<unsigned char>(bytes[i])] = true;
    m_plainKnown = true;
}

qsizetype TerminalScreen::skipPlainLines(const char *bytes, qsizetype size)
{
    // A run of plain lines, each drawn as learnFromLine() saw: feeding them one by one would
    // scroll the screen (libvterm moves all of it) once a line. Only the last rows-1 lines stay
    // on the screen; the rows above the cursor and the lines before those last ones scroll off
    // in order. So libvterm scrolls the rows above the cursor off in one step (CSI S, pushing
    // them as line feeds would), the passing lines go straight into the scrollback, and the last
    // lines are drawn from the top row down without scrolling: the cursor ends at the bottom
    // row's start, as it would have.
    const QPoint at = cursor();
    if (m_altScreen || at.y() != m_rows - 1 || at.x() != 0)
        return 0;
    std::vector<std::pair<qsizetype, qsizetype>> lines; // start, length without CR LF
    qsizetype end = 0;
    // Lines of the bytes seen drawn as themselves (all of them printable): a line with any other
    // byte ends the run.
    while (end < size && end < kRunBytes) {
        const qsizetype line = plainLine(bytes + end, size - end, m_plainBytes);
        if (line == 0)
            break;
        lines.emplace_back(end, line - 2);
        end += line;
    }
    const qsizetype stay = m_rows - 1;
    if (qsizetype(lines.size()) < stay + 16) // too few to be worth it
        return 0;
    const QByteArray scroll = "\x1b[" + QByteArray::number(stay) + "S\x1b[H";
    write(scroll.constData(), scroll.size());
    // Passing lines beyond what the scrollback keeps would only push each other out.
    const qsizetype passing = qsizetype(lines.size()) - stay;
    for (qsizetype i = std::max<qsizetype>(0, passing - maxScrollback()); i < passing; ++i) {
        const auto [start, length] = lines[size_t(i)];
        StoredLine &line = newScrollbackLine();
        const qsizetype used = std::max<qsizetype>(length, m_plainKeep);
        line.cells.resize(size_t(used));
        for (qsizetype c = 0; c < length; ++c) {
            line.cells[size_t(c)] = m_plainPen;
            line.cells[size_t(c)].code |= quint32(static_cast<unsigned char>(bytes[start + c]));
        }
        std::copy(m_plainBlank.begin() + length, m_plainBlank.begin() + used,
                  line.cells.begin() + length);
        if (line.cells.capacity() > line.cells.size() + 16)
            line.cells.shrink_to_fit();
    }
    const qsizetype from = lines[size_t(passing)].first;
    write(bytes + from, end - from);
    m_skipped += passing;
    emit damaged();
    return end;
}

TerminalScreen::StoredLine &TerminalScreen::newScrollbackLine()
{
    StoredLine line;
    if (m_scrollback.size() >= size_t(maxScrollback())) {
        // The oldest line's storage is reused for the newest.
        line = std::move(m_scrollback.front());
        m_scrollback.pop_front();
        line.clusters.clear();
    }
    m_scrollback.push_back(std::move(line));
    return m_scrollback.back();
}

void TerminalScreen::pushCells(int columns, const void *raw)
{
    const auto *cells = static_cast<const VTermScreenCell *>(raw);
    // Trailing blanks are not kept: a flood of short lines stays cheap and small.
    int used = columns;
    while (used > 0 && cells[used - 1].chars[0] == 0
           && VTERM_COLOR_IS_DEFAULT_BG(&cells[used - 1].bg) && !cells[used - 1].attrs.reverse)
        --used;
    StoredLine &line = newScrollbackLine();
    line.cells.resize(size_t(used));
    for (int i = 0; i < used; ++i) {
        line.cells[size_t(i)] = store(&cells[i]);
        if (cells[i].chars[0] != 0 && cells[i].chars[1] != 0)
            line.clusters.emplace_back(i, convert(&cells[i]).text);
    }
    if (line.cells.capacity() > line.cells.size() + 16)
        line.cells.shrink_to_fit();
}

void TerminalScreen::resize(int rows, int columns)
{
    rows = std::max(rows, 1);
    columns = std::max(columns, 1);
    if (rows == m_rows && columns == m_columns)
        return;
    // The scrolling region goes back to the whole screen first (cursor kept), as xterm's does on
    // a resize: libvterm 0.1.4 keeps a region whose top is now below the screen, and its next
    // scroll moves line records past the end of the shorter screen's (heap corruption, then a
    // crash; valgrind on tst_terminalscreen's resizes).
    static const char kWholeScreenRegion[] = "\x1b"
                                             "7\x1b[r\x1b"
                                             "8";
    vterm_input_write(m_vt, kWholeScreenRegion, sizeof(kWholeScreenRegion) - 1);
    m_rows = rows;
    m_columns = columns;
    m_plainKnown = false;
    vterm_set_size(m_vt, rows, columns);
    vterm_screen_flush_damage(m_screen);
    emit damaged();
}

TerminalScreen::Cell TerminalScreen::convert(const void *raw) const
{
    const auto *cell = static_cast<const VTermScreenCell *>(raw);
    Cell out;
    if (cell->chars[0] != 0 && cell->chars[0] != uint32_t(-1)) {
        for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i]; ++i)
            out.text += QString::fromUcs4(reinterpret_cast<const char32_t *>(&cell->chars[i]), 1);
    }
    out.width = static_cast<unsigned char>(cell->width); // 1 or 2 columns
    out.bold = cell->attrs.bold;
    out.italic = cell->attrs.italic;
    out.underline = cell->attrs.underline != VTERM_UNDERLINE_OFF;
    out.reverse = cell->attrs.reverse;
    out.strike = cell->attrs.strike;
    VTermColor fg = cell->fg;
    VTermColor bg = cell->bg;
    if (!VTERM_COLOR_IS_DEFAULT_FG(&fg)) {
        vterm_screen_convert_color_to_rgb(m_screen, &fg);
        out.foreground = QColor(fg.rgb.red, fg.rgb.green, fg.rgb.blue);
    }
    if (!VTERM_COLOR_IS_DEFAULT_BG(&bg)) {
        vterm_screen_convert_color_to_rgb(m_screen, &bg);
        out.background = QColor(bg.rgb.red, bg.rgb.green, bg.rgb.blue);
    }
    return out;
}

namespace {

// StoredCell::code: bits 0-20 the code point, 21-22 the width, then the attributes.
constexpr quint32 kCodeMask = 0x1fffff;
constexpr int kWidthShift = 21;
constexpr quint32 kBold = 1U << 23;
constexpr quint32 kItalic = 1U << 24;
constexpr quint32 kUnderline = 1U << 25;
constexpr quint32 kReverse = 1U << 26;
constexpr quint32 kStrike = 1U << 27;
constexpr quint32 kSet = 0xff000000U; // a colour the program chose

} // namespace

TerminalScreen::StoredCell TerminalScreen::store(const void *raw) const
{
    const auto *cell = static_cast<const VTermScreenCell *>(raw);
    StoredCell out;
    const uint32_t first = cell->chars[0];
    out.code = (first == uint32_t(-1) ? 0 : first & kCodeMask)
               | (quint32(cell->width & 3) << kWidthShift) | (cell->attrs.bold ? kBold : 0)
               | (cell->attrs.italic ? kItalic : 0)
               | (cell->attrs.underline != VTERM_UNDERLINE_OFF ? kUnderline : 0)
               | (cell->attrs.reverse ? kReverse : 0) | (cell->attrs.strike ? kStrike : 0);
    VTermColor fg = cell->fg;
    VTermColor bg = cell->bg;
    if (!VTERM_COLOR_IS_DEFAULT_FG(&fg)) {
        vterm_screen_convert_color_to_rgb(m_screen, &fg);
        out.foreground = kSet | (quint32(fg.rgb.red) << 16) | (quint32(fg.rgb.green) << 8)
                         | fg.rgb.blue;
    }
    if (!VTERM_COLOR_IS_DEFAULT_BG(&bg)) {
        vterm_screen_convert_color_to_rgb(m_screen, &bg);
        out.background = kSet | (quint32(bg.rgb.red) << 16) | (quint32(bg.rgb.green) << 8)
                         | bg.rgb.blue;
    }
    return out;
}

TerminalScreen::Cell TerminalScreen::unpack(const StoredLine &line, int column)
{
    if (column < 0 || size_t(column) >= line.cells.size())
        return {};
    const StoredCell &stored = line.cells[size_t(column)];
    Cell out;
    const char32_t code = stored.code & kCodeMask;
    if (code != 0) {
        out.text = QString::fromUcs4(&code, 1);
        for (const auto &[at, text] : line.clusters) {
            if (at == column)
                out.text = text;
        }
    }
    out.width = int((stored.code >> kWidthShift) & 3);
    out.bold = (stored.code & kBold) != 0;
    out.italic = (stored.code & kItalic) != 0;
    out.underline = (stored.code & kUnderline) != 0;
    out.reverse = (stored.code & kReverse) != 0;
    out.strike = (stored.code & kStrike) != 0;
    if (stored.foreground != 0)
        out.foreground = QColor::fromRgb(QRgb(stored.foreground));
    if (stored.background != 0)
        out.background = QColor::fromRgb(QRgb(stored.background));
    return out;
}

TerminalScreen::Cell TerminalScreen::cell(int row, int column) const
{
    if (row < 0) {
        const int index = scrollbackSize() + row;
        if (index < 0)
            return {};
        return unpack(m_scrollback[size_t(index)], column);
    }
    if (row >= m_rows || column < 0 || column >= m_columns)
        return {};
    VTermScreenCell raw;
    if (!vterm_screen_get_cell(m_screen, VTermPos{row, column}, &raw))
        return {};
    return convert(&raw);
}

QString TerminalScreen::lineText(int row) const
{
    QString text;
    const int line = scrollbackSize() + row; // a scrollback line when row < 0
    const int width = row < 0 && line >= 0
                          ? int(m_scrollback[static_cast<size_t>(line)].cells.size())
                          : m_columns;
    for (int column = 0; column < width; ++column) {
        const Cell c = cell(row, column);
        if (c.text.isEmpty()) {
            // The right half of a wide character holds nothing; a blank is a space.
            if (column == 0 || cell(row, column - 1).width < 2)
                text += QLatin1Char(' ');
        } else {
            text += c.text;
        }
    }
    while (text.endsWith(QLatin1Char(' ')))
        text.chop(1);
    return text;
}

QString TerminalScreen::text(QPoint from, QPoint to) const
{
    if (from.y() > to.y() || (from.y() == to.y() && from.x() > to.x()))
        std::swap(from, to);
    QStringList lines;
    for (int row = from.y(); row <= to.y(); ++row) {
        QString line = lineText(row);
        const int end = row == to.y() ? to.x() + 1 : int(line.size());
        const int start = row == from.y() ? from.x() : 0;
        lines << line.mid(start, std::max(0, end - start));
    }
    return lines.join(QLatin1Char('\n'));
}

QString TerminalScreen::screenText() const
{
    QStringList lines;
    for (int row = 0; row < m_rows; ++row)
        lines << lineText(row);
    return lines.join(QLatin1Char('\n'));
}

QPoint TerminalScreen::cursor() const
{
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(m_vt), &pos);
    return QPoint(pos.col, pos.row);
}

void TerminalScreen::setDefaultColors(const QColor &foreground, const QColor &background)
{
    VTermColor fg;
    VTermColor bg;
    vterm_color_rgb(&fg, uint8_t(foreground.red()), uint8_t(foreground.green()),
                    uint8_t(foreground.blue()));
    vterm_color_rgb(&bg, uint8_t(background.red()), uint8_t(background.green()),
                    uint8_t(background.blue()));
    vterm_state_set_default_colors(vterm_obtain_state(m_vt), &fg, &bg);
    m_plainKnown = false;
    emit damaged();
}

void TerminalScreen::key(Key key, int modifiers)
{
    vterm_keyboard_key(m_vt, VTermKey(key), VTermModifier(modifiers));
    flushOutput();
}

void TerminalScreen::functionKeyPressed(int n, int modifiers)
{
    vterm_keyboard_key(m_vt, VTermKey(VTERM_KEY_FUNCTION(n)), VTermModifier(modifiers));
    flushOutput();
}

void TerminalScreen::character(uint ucs4, int modifiers)
{
    vterm_keyboard_unichar(m_vt, ucs4, VTermModifier(modifiers));
    flushOutput();
}

void TerminalScreen::paste(const QString &text)
{
    vterm_keyboard_start_paste(m_vt); // writes nothing unless the program asked for brackets
    flushOutput();
    // A paste is text, not keys: newlines go as the Enter key sends them.
    QString normalised = text;
    normalised.replace(QStringLiteral("\r\n"), QStringLiteral("\r"));
    normalised.replace(QLatin1Char('\n'), QLatin1Char('\r'));
    emit output(normalised.toUtf8());
    vterm_keyboard_end_paste(m_vt);
    flushOutput();
}

void TerminalScreen::mouse(int row, int column, int button, bool pressed, int modifiers)
{
    vterm_mouse_move(m_vt, row, column, VTermModifier(modifiers));
    if (button > 0)
        vterm_mouse_button(m_vt, button, pressed, VTermModifier(modifiers));
    flushOutput();
}

void TerminalScreen::flushOutput()
{
    if (m_pendingOutput.isEmpty())
        return;
    emit output(std::exchange(m_pendingOutput, {}));
}
