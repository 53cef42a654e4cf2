#include "log/AnsiParser.h"

#include <QColor>
#include <QFont>

namespace {

constexpr int kMaxParams = 64; // a longer CSI is garbage: drop it rather than buffer it

QColor cube256(int index)
{
    if (index < 16)
        return AnsiParser::paletteColor(index);
    if (index >= 232) {
        const int level = 8 + (index - 232) * 10;
        return QColor(level, level, level);
    }
    const int i = index - 16;
    const auto step = [](int v) { return v == 0 ? 0 : 55 + v * 40; };
    return QColor(step(i / 36), step((i / 6) % 6), step(i % 6));
}

} // namespace

AnsiParser::AnsiParser(const QTextCharFormat &base) : m_base(base), m_format(base) { }

QColor AnsiParser::paletteColor(int index)
{
    // Readable on light and dark backgrounds alike (close to the Tango palette).
    static const QColor colors[16] = {QColor(0x2e, 0x34, 0x36), QColor(0xcc, 0x00, 0x00),
                                      QColor(0x4e, 0x9a, 0x06), QColor(0xc4, 0xa0, 0x00),
                                      QColor(0x34, 0x65, 0xa4), QColor(0x75, 0x50, 0x7b),
                                      QColor(0x06, 0x98, 0x9a), QColor(0xd3, 0xd7, 0xcf),
                                      QColor(0x55, 0x57, 0x53), QColor(0xef, 0x29, 0x29),
                                      QColor(0x8a, 0xe2, 0x34), QColor(0xfc, 0xe9, 0x4f),
                                      QColor(0x72, 0x9f, 0xcf), QColor(0xad, 0x7f, 0xa8),
                                      QColor(0x34, 0xe2, 0xe2), QColor(0xee, 0xee, 0xec)};
    return colors[qBound(0, index, 15)];
}

void AnsiParser::reset()
{
    m_format = m_base;
    m_state = State::Text;
    m_params.clear();
    m_pendingCr = false;
}

void AnsiParser::flushRun(QList<Op> *ops, QString *run)
{
    if (!ops || run->isEmpty())
        return;
    if (m_pendingCr) {
        ops->append({Op::Kind::CarriageReturn, {}, {}});
        m_pendingCr = false;
    }
    ops->append({Op::Kind::Text, *run, m_format});
    run->clear();
}

void AnsiParser::parse(QStringView text, QList<Op> &ops)
{
    QString run;
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        if (m_state == State::Text) {
            // Fast path: take printable characters in one go.
            const qsizetype start = i;
            while (i < n) {
                const char16_t u = text[i].unicode();
                if (u < 0x20 || u == 0x7f)
                    break;
                ++i;
            }
            if (i > start) {
                if (m_pendingCr && !run.isEmpty())
                    flushRun(&ops, &run);
                run.append(text.mid(start, i - start));
            }
            if (i == n)
                break;
        }
        feedControl(text[i], &ops, &run);
        ++i;
    }
    flushRun(&ops, &run);
}

void AnsiParser::skip(QByteArrayView bytes)
{
    // Only escape sequences change state; jump from ESC to ESC.
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    while (p < end) {
        if (m_state == State::Text) {
            const void *esc = memchr(p, 0x1b, size_t(end - p));
            if (!esc)
                break;
            p = static_cast<const char *>(esc);
        }
        feedControl(QChar(char16_t(uchar(*p))), nullptr, nullptr);
        ++p;
    }
    m_pendingCr = false;
}

void AnsiParser::feedControl(QChar c, QList<Op> *ops, QString *run)
{
    const char16_t u = c.unicode();
    switch (m_state) {
    case State::Text:
        if (u == 0x1b) {
            m_state = State::Escape;
        } else if (u == '\n') {
            flushRun(ops, run);
            m_pendingCr = false;
            if (ops)
                ops->append({Op::Kind::Newline, {}, {}});
        } else if (u == '\r') {
            flushRun(ops, run);
            m_pendingCr = true;
        } else if (u == '\t') {
            if (run) {
                if (m_pendingCr && !run->isEmpty())
                    flushRun(ops, run);
                run->append(c);
            }
        }
        // Other C0 controls (bell, backspace, ...) have no place in a log.
        return;
    case State::Escape:
        if (u == '[') {
            m_state = State::Csi;
            m_params.clear();
        } else if (u == ']') {
            m_state = State::Osc;
        } else if (u == 'c') { // RIS: full reset
            flushRun(ops, run);
            m_format = m_base;
            m_pendingCr = false;
            if (ops)
                ops->append({Op::Kind::ClearScreen, {}, {}});
            m_state = State::Text;
        } else {
            m_state = State::Text; // a two-character escape (charset, keypad mode): ignored
        }
        return;
    case State::Csi:
        if (u >= 0x30 && u <= 0x3f) {
            if (m_params.size() < kMaxParams)
                m_params.append(c);
            else
                m_state = State::Text;
        } else if (u >= 0x40 && u <= 0x7e) {
            m_state = State::Text;
            dispatchCsi(c, ops, run);
        } else if (u < 0x20 || u > 0x7e) {
            m_state = State::Text; // broken sequence
        }
        return;
    case State::Osc: // window titles and hyperlinks: ended by BEL or ST
        if (u == 0x07)
            m_state = State::Text;
        else if (u == 0x1b)
            m_state = State::OscEscape;
        return;
    case State::OscEscape: m_state = u == '\\' ? State::Text : State::Osc; return;
    }
}

void AnsiParser::dispatchCsi(QChar final, QList<Op> *ops, QString *run)
{
    const char16_t f = final.unicode();
    if (f == 'm') {
        flushRun(ops, run);
        applySgr();
        return;
    }
    if (m_params.startsWith(QLatin1Char('?')))
        return; // private modes (cursor visibility, alternate screen)
    // Cursor home and clear screen are how full-screen tools (nvidia-smi -l in a TTY, watch)
    // redraw; in a log that reads best as starting over.
    const bool home = (f == 'H' || f == 'f')
                      && (m_params.isEmpty() || m_params == QLatin1String("1;1")
                          || m_params == QLatin1String("1") || m_params == QLatin1String(";"));
    const bool clear = f == 'J'
                       && (m_params == QLatin1String("2") || m_params == QLatin1String("3"));
    if (home || clear) {
        flushRun(ops, run);
        m_pendingCr = false;
        if (ops && (ops->isEmpty() || ops->constLast().kind != Op::Kind::ClearScreen))
            ops->append({Op::Kind::ClearScreen, {}, {}});
    }
}

void AnsiParser::applySgr()
{
    QList<int> codes;
    for (const QStringView part : QStringView(m_params).split(QLatin1Char(';')))
        codes.append(part.isEmpty() ? 0 : part.toInt());
    if (codes.isEmpty())
        codes.append(0);
    const auto extended = [&codes](qsizetype &i) -> QColor {
        // 38;5;N or 38;2;R;G;B
        if (i + 2 < codes.size() && codes[i + 1] == 5) {
            i += 2;
            return cube256(qBound(0, codes[i], 255));
        }
        if (i + 4 < codes.size() && codes[i + 1] == 2) {
            const QColor c(qBound(0, codes[i + 2], 255), qBound(0, codes[i + 3], 255),
                           qBound(0, codes[i + 4], 255));
            i += 4;
            return c;
        }
        i = codes.size();
        return {};
    };
    for (qsizetype i = 0; i < codes.size(); ++i) {
        const int c = codes[i];
        if (c == 0) {
            m_format = m_base;
        } else if (c == 1) {
            m_format.setFontWeight(QFont::Bold);
        } else if (c == 2) {
            m_format.setFontWeight(QFont::Light);
        } else if (c == 3) {
            m_format.setFontItalic(true);
        } else if (c == 4) {
            m_format.setFontUnderline(true);
        } else if (c == 22) {
            m_format.setFontWeight(m_base.fontWeight());
        } else if (c == 23) {
            m_format.setFontItalic(false);
        } else if (c == 24) {
            m_format.setFontUnderline(false);
        } else if (c >= 30 && c <= 37) {
            m_format.setForeground(paletteColor(c - 30));
        } else if (c >= 90 && c <= 97) {
            m_format.setForeground(paletteColor(c - 90 + 8));
        } else if (c == 38) {
            if (const QColor color = extended(i); color.isValid())
                m_format.setForeground(color);
        } else if (c == 39) {
            if (m_base.hasProperty(QTextFormat::ForegroundBrush))
                m_format.setForeground(m_base.foreground());
            else
                m_format.clearForeground();
        } else if (c >= 40 && c <= 47) {
            m_format.setBackground(paletteColor(c - 40));
        } else if (c >= 100 && c <= 107) {
            m_format.setBackground(paletteColor(c - 100 + 8));
        } else if (c == 48) {
            if (const QColor color = extended(i); color.isValid())
                m_format.setBackground(color);
        } else if (c == 49) {
            if (m_base.hasProperty(QTextFormat::BackgroundBrush))
                m_format.setBackground(m_base.background());
            else
                m_format.clearBackground();
        }
    }
}
