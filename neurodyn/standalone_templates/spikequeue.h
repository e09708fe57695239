// neurodyn: Brian2 2.5.4's CSpikeQueue (brian2/synapses/cspikequeue.cpp), except that the synapses
// of each source are held in one compressed array (synapse_ids[synapse_start[k]..synapse_start[k+1]),
// in ascending synapse index as before) instead of one std::vector per source, a homogeneous delay
// grows its queue once per step instead of once per spike, and where source k has exactly synapse k
// (one-to-one, as the shared field's N synapses) a spike's synapse is its index, looked up nowhere:
// the same queue contents in the same order, without cache misses per spike (the push was a fifth
// of the run of a 10^6-neuron shared-field network).
#include<iostream>
#include<vector>
#include<map>
#include<iterator>
#include<algorithm>
#include"stdint_compat.h"
#include<assert.h>
using namespace std;

//TODO: The data type for indices is currently fixed (int), all floating point
//      variables (delays, dt) are assumed to use the same data type
class CSpikeQueue
{
public:
    vector< vector<int32_t> > queue; // queue[(offset+i)%queue.size()] is delay i relative to current time
    double dt;
    int offset;
    bool scalar_delay;
    int *delays;
    int32_t source_start;
    int32_t source_end;
    int openmp_padding;
    vector<int32_t> synapse_start;  // synapses of source k: synapse_ids[synapse_start[k] .. synapse_start[k+1])
    vector<int32_t> synapse_ids;
    bool one_to_one;  // source k has exactly synapse k (+ openmp_padding): a spike's synapse is its index
    // data structures for the store/restore mechanism

    CSpikeQueue(int _source_start, int _source_end)
        : source_start(_source_start), source_end(_source_end)
    {
        queue.resize(1);
        offset = 0;
        dt = 0.0;
        delays = NULL;
        openmp_padding = 0;
        scalar_delay = 0;
        one_to_one = false;
    };

    ~CSpikeQueue()
    {
        if (delays)
        {
            delete[] delays;
            delays = NULL;
        }
    }

    template <typename scalar> void prepare(scalar *real_delays, int n_delays,
                 int32_t *sources, int n_synapses,
                 double _dt)
    {

        assert(n_delays == 1 || n_delays == n_synapses);

        if (delays)
            delete [] delays;

        if (dt != 0.0 && dt != _dt)
        {
            // dt changed, we have to get the old spikes out of the queue and
            // reinsert them at the correct positions
            vector< vector<int32_t> > queue_copy = queue; // does a real copy
            const double conversion_factor = dt / _dt;
            const size_t oldsize = queue.size();
            const size_t newsize = (int)(oldsize * conversion_factor) + 1;
            queue.clear();
            queue.resize(newsize);
            for (size_t i=0; i<oldsize; i++)
            {
                vector<int32_t> spikes = queue_copy[(i + offset) % oldsize];
                queue[(int)(i * conversion_factor + 0.5)] = spikes;
            }
            offset = 0;
        }

        delays = new int[n_delays];

        // Note that n_synapses and n_delays do not have to be identical
        // (homogeneous delays are stored as a single scalar), we therefore
        // use two independent loops to initialize the delays and the synapses
        // array
        scalar first_delay = n_delays > 0 ? real_delays[0] : 0.0;
        int min_delay = (int)(first_delay / _dt + 0.5);
        int max_delay = min_delay;
        for (int i=0; i<n_delays; i++)
        {
            //round to nearest int
            delays[i] =  (int)(real_delays[i] / _dt + 0.5);
            if (delays[i] > max_delay)
                max_delay = delays[i];
            else if (delays[i] < min_delay)
                min_delay = delays[i];
        }
        const int n_sources = source_end - source_start;
        synapse_start.assign(n_sources + 1, 0);
        for (int i=0; i<n_synapses; i++)
            synapse_start[sources[i] - source_start + 1]++;
        for (int k=0; k<n_sources; k++)
            synapse_start[k + 1] += synapse_start[k];
        synapse_ids.resize(n_synapses);
        {
            vector<int32_t> next(synapse_start.begin(), synapse_start.end() - 1);
            for (int i=0; i<n_synapses; i++)
                synapse_ids[next[sources[i] - source_start]++] = i + openmp_padding;
        }

        dt = _dt;

        // Ensure that our spike queue is sufficiently big
        ensure_delay(max_delay);

        scalar_delay = (min_delay == max_delay);
        one_to_one = (n_synapses == n_sources);
        for (int k=0; one_to_one && k<n_sources; k++)
            one_to_one = (synapse_start[k + 1] == k + 1 && synapse_ids[k] == k + openmp_padding);
    }

    pair <int, vector< vector<int32_t> > > _full_state()
    {
        pair <int, vector< vector<int32_t> > > state(offset, queue);
        return state;
    }

    void _clear()
    {
    }

    void _restore_from_full_state(const pair <int, vector< vector<int32_t> > > state)
    {
        int stored_offset = state.first;
        vector< vector<int32_t> > stored_queue = state.second;
        size_t size = stored_queue.size();
        queue.clear();
        if (size == 0)  // the queue did not exist at the time of the store call
            size = 1;
        queue.resize(size);
        for (size_t i=0; i<stored_queue.size(); i++)
            queue[i] = stored_queue[i];
        offset = stored_offset;
    }

    void expand(size_t newsize)
    {
        const size_t n = queue.size();
        if (newsize <= n)
            return;
        // rotate offset back to start (leaves the circular structure unchanged)
        rotate(queue.begin(), queue.begin()+offset, queue.end());
        offset = 0;
        // add new elements
        queue.resize(newsize);
    };

    inline void ensure_delay(int delay)
    {
        if(delay >= (int)queue.size())
        {
            expand(delay+1);
        }
    };

    void push(int32_t *spikes, int nspikes)
    {
        if(nspikes==0) return;
        const int start = static_cast<int>(distance(spikes, lower_bound(spikes, spikes+nspikes, source_start)));
        const int stop = static_cast<int>(distance(spikes, upper_bound(spikes, spikes+nspikes, source_end-1)));
        if(stop == start) return;  // no spike of these sources (nothing is queued either way)
        const int32_t * __restrict rspikes = spikes;
        const int32_t * __restrict starts = &synapse_start[0];
        const int32_t * __restrict ids = synapse_ids.empty() ? 0 : &synapse_ids[0];
        if(scalar_delay && one_to_one)
        {
            vector<int32_t> &homog_queue = queue[(offset+delays[0])%queue.size()];
            const size_t filled = homog_queue.size();
            homog_queue.resize(filled + (stop - start));
            int32_t * __restrict destination = &homog_queue[filled];
            for(int idx_spike=start; idx_spike<stop; idx_spike++)
                destination[idx_spike - start] = rspikes[idx_spike] - source_start + openmp_padding;
        } else if(scalar_delay)
        {
            vector<int32_t> &homog_queue = queue[(offset+delays[0])%queue.size()];
            size_t needed = 0;
            for(int idx_spike=start; idx_spike<stop; idx_spike++)
            {
                const int idx_neuron = rspikes[idx_spike] - source_start;
                needed += starts[idx_neuron + 1] - starts[idx_neuron];
            }
            size_t filled = homog_queue.size();
            homog_queue.resize(filled + needed);
            int32_t * __restrict hq = homog_queue.empty() ? 0 : &homog_queue[0];
            for(int idx_spike=start; idx_spike<stop; idx_spike++)
            {
                const int idx_neuron = rspikes[idx_spike] - source_start;
                const int num_indices = starts[idx_neuron + 1] - starts[idx_neuron];
                const int32_t * __restrict cur_indices = ids + starts[idx_neuron];
                int32_t * __restrict destination = hq + filled;
                for(int idx_indices=0; idx_indices<num_indices; idx_indices++)
                    destination[idx_indices] = cur_indices[idx_indices];
                filled += num_indices;
            }
        } else // (!scalar_delay)
        {
            int * __restrict rdelays = delays-openmp_padding;
            for(int idx_spike=start; idx_spike<stop; idx_spike++)
            {
                const int idx_neuron = rspikes[idx_spike] - source_start;
                for(int k=starts[idx_neuron]; k<starts[idx_neuron + 1]; k++)
                {
                    const int synaptic_index = ids[k];
                    int delay = rdelays[synaptic_index];
                    queue[(offset+delay)%queue.size()].push_back(synaptic_index);
                }
            }
        }
    };

    inline vector<int32_t>* peek()
    {
        return &queue[offset];
    };

    void advance()
    {
        // empty the current queue, note that for most compilers this shouldn't deallocate the memory,
        // although VC<=7.1 will, so it will be less efficient with that compiler
        queue[offset].clear();
        // and advance to the next offset
        offset = (offset+1)%queue.size();
    };
};
