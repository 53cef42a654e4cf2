#pragma once

#include <QtGlobal>

#include <vector>

// A fixed-capacity ring: push() overwrites the oldest entry once full, so memory is set when the
// ring is made and never grows with time. at(0) is the oldest entry held.
template <typename T> class SampleRing
{
public:
    explicit SampleRing(qsizetype capacity = 0)
        : m_items(static_cast<size_t>(qMax<qsizetype>(capacity, 1)))
    {
    }

    void push(const T &item)
    {
        m_items[static_cast<size_t>((m_first + m_size) % capacity())] = item;
        if (m_size < capacity())
            ++m_size;
        else
            m_first = (m_first + 1) % capacity();
    }
    void clear() { m_first = m_size = 0; }

    qsizetype size() const { return m_size; }
    qsizetype capacity() const { return static_cast<qsizetype>(m_items.size()); }
    bool isEmpty() const { return m_size == 0; }
    const T &at(qsizetype i) const
    {
        return m_items[static_cast<size_t>((m_first + i) % capacity())];
    }
    const T &last() const { return at(m_size - 1); }
    // Bytes held, the same from the first push to the last.
    qsizetype memoryBytes() const
    {
        return static_cast<qsizetype>(sizeof(*this) + m_items.capacity() * sizeof(T));
    }

private:
    std::vector<T> m_items;
    qsizetype m_first = 0;
    qsizetype m_size = 0;
};
