{# USES_VARIABLES { N } #}
{% extends 'common_group.cpp' %}
{#- neurodyn: Brian2 2.5.4's threshold.cpp, except that the neurons are tested in blocks of 64:
    one pass over a block evaluates the condition of each neuron once, in order, into a 64-bit
    mask (a loop of fixed length that the compiler vectorises for conditions without random
    numbers), then the set bits are listed in ascending order; the last N mod 64 neurons are
    tested one by one. The same events, in the same order and with the same random numbers, as
    Brian2's one-by-one loop, which the compiler cannot vectorise (each stored index depends on
    the neurons before it): that loop was half the run of a 10^4-neuron shared-field network. -#}
{% block maincode %}
    {% set _eventspace = get_array_name(eventspace_variable) %}
{% macro record_event() %}
            {{_eventspace}}[_count++] = _idx;
            {% if _uses_refractory %}
            {{not_refractory}}[_idx] = false;
            {{lastspike}}[_idx] = {{t}};
            {% endif %}
{% endmacro %}
    //// MAIN CODE ////////////
    // scalar code
    const int _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    long _count = 0;
    size_t _block_start = 0;
    for(; _block_start + 64 <= N; _block_start += 64)
    {
        uint64_t _block_events = 0;
        for(size_t _in_block=0; _in_block<64; _in_block++)
        {
            const size_t _idx = _block_start + _in_block;
            const size_t _vectorisation_idx = _idx;
            {{vector_code|autoindent}}
            _block_events |= (uint64_t)(_cond != 0) << _in_block;
        }
        while(_block_events)
        {
            const size_t _idx = _block_start + __builtin_ctzll(_block_events);
            _block_events &= _block_events - 1;
            {{ record_event() }}
        }
    }
    for(size_t _idx=_block_start; _idx<N; _idx++)
    {
        const size_t _vectorisation_idx = _idx;
        {{vector_code|autoindent}}
        if(_cond) {
            {{ record_event() }}
        }
    }
    {{_eventspace}}[N] = _count;
{% endblock %}

{% block after_code %}
{% set _eventspace = get_array_name(eventspace_variable) %}
{{_eventspace}}[N] = 0;  // Note that this is not an off-by-1-error: the array has N+1 elements
{% endblock %}
